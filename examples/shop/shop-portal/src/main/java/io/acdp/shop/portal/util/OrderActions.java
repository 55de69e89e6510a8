package io.acdp.shop.portal.util;

import io.acdp.shop.common.model.OrdOrder;

/**
 * 根据订单状态给出允许的操作；遇到不认识的状态直接报错。
 */
public class OrderActions {
    private final boolean payable;

    private OrderActions(boolean payable) {
        this.payable = payable;
    }

    public static OrderActions of(OrdOrder order) {
        Integer status = order.getStatus();
        if (status == 0) {
            return new OrderActions(true);
        }
        if (status >= 1 && status <= 5) {
            return new OrderActions(false);
        }
        throw new IllegalStateException("未知的订单状态");
    }

    public boolean isPayable() {
        return payable;
    }
}
