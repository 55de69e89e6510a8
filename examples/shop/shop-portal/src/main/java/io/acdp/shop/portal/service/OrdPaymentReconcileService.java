package io.acdp.shop.portal.service;

import com.baomidou.mybatisplus.core.conditions.update.LambdaUpdateWrapper;
import io.acdp.shop.common.entity.OrdPayment;
import io.acdp.shop.common.enums.OrdPaymentStatusEnum;
import io.acdp.shop.common.mapper.OrdPaymentMapper;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * 支付对账：MyBatis-Plus 条件更新，没有接口的服务类。
 */
@Service
public class OrdPaymentReconcileService {
    @Autowired
    private OrdPaymentMapper paymentMapper;

    /**
     * 对账结束：订单下仍在待支付的流水记为支付失败
     */
    @Transactional
    public int failWaiting(Long orderId) {
        return paymentMapper.update(null, new LambdaUpdateWrapper<OrdPayment>()
                .set(OrdPayment::getPayStatus, OrdPaymentStatusEnum.FAILED.getPayStatus())
                .eq(OrdPayment::getOrderId, orderId)
                .eq(OrdPayment::getPayStatus, OrdPaymentStatusEnum.WAITING.getPayStatus()));
    }
}
