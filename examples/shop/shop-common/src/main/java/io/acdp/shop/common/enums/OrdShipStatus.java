package io.acdp.shop.common.enums;

/**
 * 运单状态：state 存入 ord_shipment.ship_status。
 */
public enum OrdShipStatus {
    UNKNOWN(-1, "UNKNOWN"),
    WAITING(0, "待发货"),
    SHIPPED(1, "已发货"),
    RECEIVED(2, "已签收"),
    CANCELLED(3, "已取消");

    private final int state;
    private final String text;

    OrdShipStatus(int state, String text) {
        this.state = state;
        this.text = text;
    }

    public int getState() {
        return state;
    }

    public String getText() {
        return text;
    }

    public static OrdShipStatus of(int state) {
        for (OrdShipStatus s : OrdShipStatus.values()) {
            if (s.state == state) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
