package io.weft.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertEquals(5.0, Stats.median(9, 1, 5));
        assertEquals(7.0, Stats.median(7));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(4.5, Stats.median(8, 1, 4, 5));
        assertEquals(1.5, Stats.median(2, 1));
    }

    @Test
    void runsThatMeasuredNothingAreLeftOut() {
        assertEquals(3.0, Stats.median(Double.NaN, 3, Double.NaN));
        assertTrue(Double.isNaN(Stats.median()));
        assertTrue(Double.isNaN(Stats.median(Double.NaN)));
    }

    @Test
    void theInputIsNotReordered() {
        double[] xs = {3, 1, 2};
        Stats.median(xs);
        assertArrayEquals(new double[] {3, 1, 2}, xs);
    }
}
