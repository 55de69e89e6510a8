package io.acdp.shop.portal.service;

import io.acdp.shop.portal.dto.ConfirmOrderResult;
import io.acdp.shop.portal.dto.OrdOrderDetail;
import io.acdp.shop.portal.dto.OrdOrderParam;
import org.springframework.transaction.annotation.Transactional;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * 前台订单管理Service
 */
public interface OrdPortalOrderService {
    /**
     * 根据用户购物车信息生成确认单信息
     */
    ConfirmOrderResult generateConfirmOrder(List<Long> cartIds);

    /**
     * 检查所选购物车商品是否都有足够的可用库存
     */
    boolean checkStock(List<Long> cartIds);

    /**
     * 根据提交信息生成订单
     */
    @Transactional
    Map<String, Object> generateOrder(OrdOrderParam orderParam);

    /**
     * 支付成功后的回调
     */
    @Transactional
    Integer paySuccess(Long orderId, Integer payType, BigDecimal payAmount);

    /**
     * 自动取消超时订单
     */
    @Transactional
    Integer cancelTimeOutOrder();

    /**
     * 取消单个超时订单
     */
    @Transactional
    void cancelOrder(Long orderId);

    /**
     * 发送延迟消息取消订单
     */
    void sendDelayMessageCancelOrder(Long orderId);

    /**
     * 确认收货
     */
    void confirmReceiveOrder(Long orderId);

    /**
     * 获取订单详情
     */
    OrdOrderDetail detail(Long orderId);

    /**
     * 用户删除订单
     */
    void deleteOrder(Long orderId);
}
