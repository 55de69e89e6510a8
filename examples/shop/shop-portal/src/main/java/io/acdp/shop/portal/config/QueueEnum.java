package io.acdp.shop.portal.config;

/**
 * Message queue definitions: exchange, queue name and routing key.
 */
public enum QueueEnum {
    /**
     * Queue that actually cancels orders; consumed by CancelOrderReceiver.
     */
    QUEUE_ORDER_CANCEL("shop.order.direct", "shop.order.cancel", "shop.order.cancel"),
    /**
     * TTL queue without consumers: expired messages are dead-lettered to QUEUE_ORDER_CANCEL.
     */
    QUEUE_TTL_ORDER_CANCEL("shop.order.direct.ttl", "shop.order.cancel.ttl", "shop.order.cancel.ttl");

    private final String exchange;
    private final String name;
    private final String routeKey;

    QueueEnum(String exchange, String name, String routeKey) {
        this.exchange = exchange;
        this.name = name;
        this.routeKey = routeKey;
    }

    public String getExchange() {
        return exchange;
    }

    public String getName() {
        return name;
    }

    public String getRouteKey() {
        return routeKey;
    }
}
