package io.acdp.shop.portal.dao;

import io.acdp.shop.common.model.OrdOrderItem;
import io.acdp.shop.portal.dto.OrdOrderDetail;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/**
 * 前台订单自定义Dao，库存的锁定、扣减、释放均在SQL中带条件完成
 */
public interface PortalOrderDao {

    /**
     * 获取订单及订单商品详情
     */
    OrdOrderDetail getDetail(@Param("orderId") Long orderId);

    /**
     * 获取超时未支付的订单
     *
     * @param minute 超时时间（分）
     */
    List<OrdOrderDetail> getTimeOutOrders(@Param("minute") Integer minute);

    /**
     * 批量关闭订单：只关闭仍处于待付款状态的订单
     */
    int closeOrders(@Param("ids") List<Long> ids);

    /**
     * 批量插入订单商品
     */
    int insertOrderItemList(@Param("list") List<OrdOrderItem> list);

    /**
     * 锁定库存：可用库存不足时影响行数为0
     */
    int lockStockBySkuId(@Param("skuId") Long skuId, @Param("quantity") Integer quantity);

    /**
     * 扣减真实库存并减少锁定库存
     */
    int reduceSkuStock(@Param("skuId") Long skuId, @Param("quantity") Integer quantity);

    /**
     * 释放锁定库存
     */
    int releaseStockBySkuId(@Param("skuId") Long skuId, @Param("quantity") Integer quantity);
}
