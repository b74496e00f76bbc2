package dev.cafstate.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * A plain AMQP consumer straight on the real RabbitMQ (not through the app's proxy): a server-named queue bound to
 * the test exchange with a binding key, collecting every message body and routing key.
 */
public final class BrokerTap implements AutoCloseable {

    /** One received message. */
    public record Received(String routingKey, String body, String contentType, String messageId) {}

    private final Connection connection;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public BrokerTap(String exchange, String bindingKey) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        connection = factory.newConnection("caf-state-test-tap");
        Channel channel = connection.createChannel();
        channel.exchangeDeclare(exchange, "topic", true);
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, exchange, bindingKey);
        channel.basicConsume(
                queue,
                true,
                (tag, delivery) -> received.add(new Received(
                        delivery.getEnvelope().getRoutingKey(),
                        new String(delivery.getBody(), StandardCharsets.UTF_8),
                        delivery.getProperties().getContentType(),
                        delivery.getProperties().getMessageId())),
                tag -> {});
    }

    public List<Received> received() {
        return received;
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
