package io.acdp.shop.portal.component;

import io.acdp.shop.portal.service.OrdPortalOrderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * 订单超时取消并解锁库存的定时任务
 * 作为延迟消息的兜底：即使消息丢失，超时订单也会被关闭
 */
@Component
public class OrderTimeoutCancelTask {
    private static final Logger LOGGER = LoggerFactory.getLogger(OrderTimeoutCancelTask.class);

    @Autowired
    private OrdPortalOrderService portalOrderService;

    /**
     * cron表达式：Seconds Minutes Hours DayofMonth Month DayofWeek [Year]
     * 每10分钟扫描一次，扫描超时未支付的订单，如果超时则关闭订单并释放库存
     */
    @Scheduled(cron = "0 0/10 * ? * ?")
    private void cancelTimeOutOrder() {
        Integer count = portalOrderService.cancelTimeOutOrder();
        LOGGER.info("取消订单，并根据sku编号释放锁定库存，取消订单数量：{}", count);
    }
}
