package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.Weft;

import java.lang.foreign.ValueLayout;
import java.time.Duration;

/** The README's pub/sub example, as it is printed there: {@code subscribe} in one process, {@code publish} in another. */
public final class ReadmeExample {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("subscribe")) {
            subscribe();
        } else {
            publish();
        }
    }

    // README: subscriber
    static void subscribe() throws Exception {
        Weft.run(() -> {
            try (PubSubClient client = PubSubClient.connect(); // the server at the per-user default path
                 Subscriber sub = client.subscriber("ticks", SubscriberOptions.defaults().withReliable(true))) {
                System.out.println("subscribed to ticks");
                for (int i = 0; i < 10; i++) {
                    try (Message m = sub.next(Deadline.after(Duration.ofSeconds(30)))) { // a read-only view of the slot
                        System.out.println("tick " + m.segment().get(ValueLayout.JAVA_LONG, 0) + " (message " + m.ordinal() + ")");
                    } // closing the message gives the slot back
                }
            }
        });
    }

    // README: publisher
    static void publish() throws Exception {
        Weft.run(() -> {
            try (PubSubClient client = PubSubClient.connect();
                 Publisher pub = client.publisher("ticks", PublisherOptions.defaults().withReliable(true))) {
                for (long i = 0; i < 10; i++) {
                    Slot slot = pub.claim(Deadline.after(Duration.ofSeconds(1))); // waits while reliable subscribers lag
                    slot.segment().set(ValueLayout.JAVA_LONG, 0, i);               // written in place: no copy
                    slot.publish(Long.BYTES);
                }
            }
        });
    }
}
