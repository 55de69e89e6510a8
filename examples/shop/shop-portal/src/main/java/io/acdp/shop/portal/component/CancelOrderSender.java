package io.acdp.shop.portal.component;

import io.acdp.shop.portal.config.QueueEnum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Sends the delayed "cancel order" message.
 *
 * <p>The message goes to the TTL queue with a per-message expiration; when it expires
 * RabbitMQ dead-letters it to the real cancel queue, where {@link CancelOrderReceiver}
 * picks it up.</p>
 */
@Component
public class CancelOrderSender {
    private static final Logger LOGGER = LoggerFactory.getLogger(CancelOrderSender.class);

    @Autowired
    private AmqpTemplate amqpTemplate;

    /**
     * @param orderId    the order to cancel
     * @param delayTimes delay in milliseconds
     */
    public void sendMessage(Long orderId, final long delayTimes) {
        amqpTemplate.convertAndSend(QueueEnum.QUEUE_TTL_ORDER_CANCEL.getExchange(),
                QueueEnum.QUEUE_TTL_ORDER_CANCEL.getRouteKey(), orderId, message -> {
                    // per-message TTL in milliseconds
                    message.getMessageProperties().setExpiration(String.valueOf(delayTimes));
                    return message;
                });
        LOGGER.info("send delay message orderId:{}, delay:{}ms", orderId, delayTimes);
    }
}
