package io.acdp.shop.portal.service;

import io.acdp.shop.common.api.CommonResult;
import io.acdp.shop.common.entity.OrdPayment;
import io.acdp.shop.common.enums.OrdPaymentStatusEnum;
import io.acdp.shop.common.mapper.OrdOrderMapper;
import io.acdp.shop.common.mapper.OrdPaymentMapper;
import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.portal.util.OrderActions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * 第三方支付的回调：核对支付流水，再把订单改为待发货。
 */
@Service
public class OrdPayCallbackService {
    @Autowired
    private OrdPaymentMapper paymentMapper;
    @Autowired
    private OrdOrderMapper orderMapper;

    @Transactional
    public CommonResult<String> onPaid(String body) {
        Long paymentId;
        try {
            paymentId = Long.valueOf(body.trim());
        } catch (NumberFormatException e) {
            return CommonResult.failed();
        }
        OrdPayment payment = paymentMapper.selectById(paymentId);
        if (payment == null) {
            return CommonResult.failed();
        }
        if (payment.getPayStatus() == OrdPaymentStatusEnum.SUCCESS.getPayStatus()) {
            return CommonResult.success("重复通知");
        }
        OrdOrder order = orderMapper.selectByPrimaryKey(payment.getOrderId());
        if (order == null) {
            return CommonResult.failed();
        }
        OrderActions actions = OrderActions.of(order);
        if (!actions.isPayable()) {
            return CommonResult.failed("订单当前状态不能支付");
        }
        order.setStatus(1);
        if (orderMapper.updateByPrimaryKeySelective(order) == 0) {
            return CommonResult.failed("订单已被修改，请重试");
        }
        return CommonResult.success("ok");
    }

    /**
     * 对账结束：付过款的待付订单改为待发货，没付的关闭。
     */
    @Transactional
    public void settle(Long orderId, boolean paid) {
        OrdOrder order = orderMapper.selectByPrimaryKey(orderId);
        if (order == null || order.getStatus() != 0) {
            return;
        }
        if (paid) {
            order.setStatus(1);
        } else {
            order.setStatus(4);
        }
        orderMapper.updateByPrimaryKeySelective(order);
    }

    /**
     * 支付渠道回报失败：流水存在时记为支付失败。
     */
    public void onFailed(Long paymentId) {
        OrdPayment payment = paymentMapper.selectById(paymentId);
        if (payment != null) {
            payment.setPayStatus(OrdPaymentStatusEnum.FAILED.getPayStatus());
            paymentMapper.updateById(payment);
        }
    }
}
