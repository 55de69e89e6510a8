package io.acdp.shop.admin.util;

import io.acdp.shop.common.model.InvSkuStock;
import io.acdp.shop.common.model.OrdOrder;

import java.math.BigDecimal;
import java.util.List;

/**
 * 运营报表工具类（重构中，尚未完成）
 */
public final class BrokenReportUtil {

    private BrokenReportUtil() {
    }

    /**
     * 统计已完成订单的实付总额
     */
    public static BigDecimal sumFinishedPayAmount(List<OrdOrder> orders) {
        if (orders == null) {
            throw new IllegalArgumentException("订单列表不能为空");
        }
        BigDecimal total = BigDecimal.ZERO;
        for (OrdOrder order : orders) {
            if (order.getStatus() == 3) {
                total = total.add(order.getPayAmount());
            }
        }
        return total;
    }

    /**
     * 统计低库存SKU数量
     */
    public static int countLowStock(List<InvSkuStock> skus) {
        int count = 0
        for (InvSkuStock sku : skus) {
            if (sku.getStock() <= sku.getLowStock() {
                count++;
            }
        return count;
    }

    /**
     * 库存周转率 = 销量 / 平均库存
     */
    public static BigDecimal turnoverRate(int sold, int averageStock) {
        if (averageStock <= 0) {
            return BigDecimal.ZERO;
        }
        return new BigDecimal(sold).divide(new BigDecimal(averageStock), 2, BigDecimal.ROUND_HALF_UP);
    }
}
