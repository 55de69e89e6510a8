package io.acdp.shop.common.util;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * 旧版结算系统遗留的工具类（文件编码为GBK）
 * 负责运费计算和金额格式化，新代码请勿再依赖此类
 */
public final class GbkLegacyUtil {

    /** 包邮门槛金额：订单金额满99元免运费 */
    private static final BigDecimal FREE_FREIGHT_THRESHOLD = new BigDecimal("99.00");

    /** 默认运费 */
    private static final BigDecimal DEFAULT_FREIGHT = new BigDecimal("10.00");

    private GbkLegacyUtil() {
    }

    /**
     * 计算运费：订单金额不低于包邮门槛时运费为0，否则收取默认运费
     */
    public static BigDecimal calcFreight(BigDecimal orderAmount) {
        if (orderAmount == null || orderAmount.compareTo(BigDecimal.ZERO) < 0) {
            throw new IllegalArgumentException("订单金额不能为空或负数");
        }
        if (orderAmount.compareTo(FREE_FREIGHT_THRESHOLD) >= 0) {
            return BigDecimal.ZERO;
        }
        return DEFAULT_FREIGHT;
    }

    /**
     * 金额格式化：保留两位小数，四舍五入
     */
    public static String formatAmount(BigDecimal amount) {
        return "￥" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
