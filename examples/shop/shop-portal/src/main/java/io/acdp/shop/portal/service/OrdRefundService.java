package io.acdp.shop.portal.service;

import io.acdp.shop.common.constant.OrdRefundConstant;
import io.acdp.shop.common.entity.OrdPayment;
import io.acdp.shop.common.entity.OrdRefund;
import io.acdp.shop.common.enums.OrdPaymentStatusEnum;
import io.acdp.shop.common.exception.ApiException;
import io.acdp.shop.common.mapper.OrdPaymentMapper;
import io.acdp.shop.portal.dao.OrdRefundRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.math.BigDecimal;
import java.util.List;

/**
 * 退款与支付流水：没有接口的服务类，控制器直接注入它。
 */
@Service
public class OrdRefundService {
    @Autowired
    private OrdRefundRepository refundRepository;
    @Autowired
    private OrdPaymentMapper paymentMapper;

    /**
     * 用户发起退款申请
     */
    @Transactional
    public OrdRefund apply(Long orderId, BigDecimal amount) {
        OrdRefund refund = new OrdRefund();
        refund.setOrderId(orderId);
        refund.setRefundAmount(amount);
        refund.setRefundStatus(OrdRefundConstant.STATUS_APPLIED);
        return refundRepository.save(refund);
    }

    /**
     * 商家同意退款：只有申请中的退款可以同意
     */
    @Transactional
    public void approve(Long refundId) {
        OrdRefund refund = refundRepository.findById(refundId).orElseThrow();
        if (!OrdRefundConstant.STATUS_APPLIED.equals(refund.getRefundStatus())) {
            throw new ApiException("只有申请中的退款可以同意");
        }
        refund.setRefundStatus(OrdRefundConstant.STATUS_APPROVED);
        refundRepository.save(refund);
    }

    /**
     * 支付回调：把待支付的流水标记为支付成功
     */
    @Transactional
    public void markPaid(Long paymentId) {
        OrdPayment payment = paymentMapper.selectById(paymentId);
        if (payment.getPayStatus() != OrdPaymentStatusEnum.WAITING.getPayStatus()) {
            throw new ApiException("支付流水不是待支付状态");
        }
        payment.setPayStatus(OrdPaymentStatusEnum.SUCCESS.getPayStatus());
        paymentMapper.updateById(payment);
    }

    /**
     * 超过期限仍在申请中的退款自动拒绝
     */
    @Transactional
    public int rejectExpired(List<OrdRefund> expired) {
        for (OrdRefund refund : expired) {
            refund.setRefundStatus((short) 30);
            refundRepository.save(refund);
        }
        return expired.size();
    }

    public List<OrdRefund> listAll() {
        return refundRepository.findAll();
    }

    /**
     * 商家拒绝退款：不在申请中的退款不处理
     */
    @Transactional
    public void reject(Long refundId) {
        OrdRefund refund = refundRepository.findById(refundId).orElseThrow();
        if (!OrdRefundConstant.isApplied(refund)) {
            return;
        }
        refund.setRefundStatus(OrdRefundConstant.STATUS_REJECTED);
        refundRepository.save(refund);
    }
}
