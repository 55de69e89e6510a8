package io.acdp.shop.admin.controller;

import io.acdp.shop.admin.dto.OrdOrderDeliveryParam;
import io.acdp.shop.admin.dto.OrdOrderDetail;
import io.acdp.shop.admin.dto.OrdOrderQueryParam;
import io.acdp.shop.admin.dto.OrdReceiverInfoParam;
import io.acdp.shop.admin.service.OrdOrderService;
import io.acdp.shop.common.api.CommonPage;
import io.acdp.shop.common.api.CommonResult;
import io.acdp.shop.common.model.OrdOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * 后台订单管理Controller
 */
@RestController
@RequestMapping("/order")
public class OrdOrderController {
    @Autowired
    private OrdOrderService orderService;

    /**
     * 分页查询订单
     */
    @GetMapping("/list")
    public CommonResult<CommonPage<OrdOrder>> list(OrdOrderQueryParam queryParam,
                                                   @RequestParam(value = "pageSize", defaultValue = "5") Integer pageSize,
                                                   @RequestParam(value = "pageNum", defaultValue = "1") Integer pageNum) {
        List<OrdOrder> orderList = orderService.list(queryParam, pageSize, pageNum);
        return CommonResult.success(CommonPage.restPage(orderList));
    }

    /**
     * 批量发货
     */
    @PostMapping("/update/delivery")
    public CommonResult<Integer> delivery(@RequestBody List<OrdOrderDeliveryParam> deliveryParamList) {
        int count = orderService.delivery(deliveryParamList);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed("发货失败，订单状态已变化");
    }

    /**
     * 批量关闭订单
     */
    @PostMapping("/update/close")
    public CommonResult<Integer> close(@RequestParam("ids") List<Long> ids, @RequestParam String note) {
        int count = orderService.close(ids, note);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed();
    }

    /**
     * 批量删除订单
     */
    @PostMapping("/delete")
    public CommonResult<Integer> delete(@RequestParam("ids") List<Long> ids) {
        int count = orderService.delete(ids);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed();
    }

    /**
     * 获取订单详情：订单信息、商品信息、操作记录
     */
    @GetMapping("/detail/{id}")
    public CommonResult<OrdOrderDetail> detail(@PathVariable Long id) {
        OrdOrderDetail orderDetailResult = orderService.detail(id);
        return CommonResult.success(orderDetailResult);
    }

    /**
     * 修改收货人信息
     */
    @PostMapping("/update/receiverInfo")
    public CommonResult<Integer> updateReceiverInfo(@RequestBody OrdReceiverInfoParam receiverInfoParam) {
        int count = orderService.updateReceiverInfo(receiverInfoParam);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed();
    }
}
