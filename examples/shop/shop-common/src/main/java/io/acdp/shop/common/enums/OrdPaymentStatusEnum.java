package io.acdp.shop.common.enums;

/**
 * 支付流水的状态：code 存入 ord_payment.pay_status，label 用于展示。
 */
public enum OrdPaymentStatusEnum {
    WAITING(0, "待支付"),
    SUCCESS(1, "支付成功"),
    FAILED(2, "支付失败");

    private final int payStatus;
    private final String label;

    OrdPaymentStatusEnum(int payStatus, String label) {
        this.payStatus = payStatus;
        this.label = label;
    }

    public int getPayStatus() {
        return payStatus;
    }

    public String getLabel() {
        return label;
    }
}
