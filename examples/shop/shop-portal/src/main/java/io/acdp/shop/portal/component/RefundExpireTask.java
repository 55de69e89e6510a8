package io.acdp.shop.portal.component;

import io.acdp.shop.portal.service.OrdRefundService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.List;

/**
 * 自动拒绝过期的退款申请。
 * 已停用：改为人工审核后不再注册为 Spring 组件。
 */
//@Component
public class RefundExpireTask {
    @Autowired
    private OrdRefundService refundService;

    @Scheduled(cron = "0 0 3 * * ?")
    public void rejectExpired() {
        refundService.rejectExpired(List.of());
    }
}
