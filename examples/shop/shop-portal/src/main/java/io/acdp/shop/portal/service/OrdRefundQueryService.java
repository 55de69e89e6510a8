package io.acdp.shop.portal.service;

import com.baomidou.mybatisplus.core.conditions.query.LambdaQueryWrapper;
import io.acdp.shop.common.constant.OrdRefundConstant;
import io.acdp.shop.common.entity.OrdRefund;
import io.acdp.shop.portal.mapper.OrdRefundPlusMapper;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.util.List;

/**
 * Refund applications still waiting for a decision, newest first, optionally of one order.
 */
@Service
public class OrdRefundQueryService {
    @Autowired
    private OrdRefundPlusMapper refundPlusMapper;

    public List<OrdRefund> listPending(Long orderId) {
        LambdaQueryWrapper<OrdRefund> wrapper = new LambdaQueryWrapper<>();
        wrapper.eq(OrdRefund::getRefundStatus, OrdRefundConstant.STATUS_APPLIED)
                .eq(orderId != null, OrdRefund::getOrderId, orderId)
                .orderByDesc(OrdRefund::getId);
        return refundPlusMapper.selectList(wrapper);
    }
}
