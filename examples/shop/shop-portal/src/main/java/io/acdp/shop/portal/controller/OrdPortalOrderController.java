package io.acdp.shop.portal.controller;

import io.acdp.shop.common.api.CommonResult;
import io.acdp.shop.portal.dto.ConfirmOrderResult;
import io.acdp.shop.portal.dto.OrdOrderDetail;
import io.acdp.shop.portal.dto.OrdOrderParam;
import io.acdp.shop.portal.service.OrdPortalOrderService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * 前台订单管理Controller
 */
@RestController
@RequestMapping("/order")
public class OrdPortalOrderController {
    @Autowired
    private OrdPortalOrderService portalOrderService;

    /**
     * 根据购物车信息生成确认单
     */
    @PostMapping("/generateConfirmOrder")
    public CommonResult<ConfirmOrderResult> generateConfirmOrder(@RequestBody List<Long> cartIds) {
        ConfirmOrderResult confirmOrderResult = portalOrderService.generateConfirmOrder(cartIds);
        return CommonResult.success(confirmOrderResult);
    }

    /**
     * 根据购物车信息生成订单
     */
    @PostMapping("/generateOrder")
    public CommonResult<Map<String, Object>> generateOrder(@RequestBody OrdOrderParam orderParam) {
        if (orderParam.getCartIds() == null || orderParam.getCartIds().isEmpty()) {
            return CommonResult.failed("请选择要下单的商品");
        }
        if (!portalOrderService.checkStock(orderParam.getCartIds())) {
            return CommonResult.failed("库存不足，下单失败");
        }
        Map<String, Object> result = portalOrderService.generateOrder(orderParam);
        return CommonResult.success(result, "下单成功");
    }

    /**
     * 用户支付成功的回调
     */
    @PostMapping("/paySuccess")
    public CommonResult<Integer> paySuccess(@RequestParam Long orderId,
                                            @RequestParam Integer payType,
                                            @RequestParam BigDecimal payAmount) {
        Integer count = portalOrderService.paySuccess(orderId, payType, payAmount);
        return CommonResult.success(count, "支付成功");
    }

    /**
     * 自动取消超时订单（供运维手动触发）
     */
    @PostMapping("/cancelTimeOutOrder")
    public CommonResult<Integer> cancelTimeOutOrder() {
        return CommonResult.success(portalOrderService.cancelTimeOutOrder());
    }

    /**
     * 用户取消订单
     */
    @PostMapping("/cancelUserOrder")
    public CommonResult<Void> cancelUserOrder(@RequestParam Long orderId) {
        portalOrderService.cancelOrder(orderId);
        return CommonResult.success(null);
    }

    /**
     * 用户确认收货
     */
    @PostMapping("/confirmReceiveOrder")
    public CommonResult<Void> confirmReceiveOrder(@RequestParam Long orderId) {
        portalOrderService.confirmReceiveOrder(orderId);
        return CommonResult.success(null);
    }

    /**
     * 根据ID获取订单详情
     */
    @GetMapping("/detail/{id}")
    public CommonResult<OrdOrderDetail> detail(@PathVariable Long id) {
        OrdOrderDetail orderDetail = portalOrderService.detail(id);
        return CommonResult.success(orderDetail);
    }

    /**
     * 用户删除订单
     */
    @PostMapping("/deleteOrder")
    public CommonResult<Void> deleteOrder(@RequestParam Long orderId) {
        portalOrderService.deleteOrder(orderId);
        return CommonResult.success(null);
    }
}
