package io.acdp.shop.admin.service;

import io.acdp.shop.admin.dto.OrdOrderDeliveryParam;
import io.acdp.shop.admin.dto.OrdOrderDetail;
import io.acdp.shop.admin.dto.OrdOrderQueryParam;
import io.acdp.shop.admin.dto.OrdReceiverInfoParam;
import io.acdp.shop.common.model.OrdOrder;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/**
 * Back-office order management.
 */
public interface OrdOrderService {
    /**
     * Paged order search.
     */
    List<OrdOrder> list(OrdOrderQueryParam queryParam, Integer pageSize, Integer pageNum);

    /**
     * Ships orders in batch; only orders waiting for delivery are shipped.
     */
    @Transactional
    int delivery(List<OrdOrderDeliveryParam> deliveryParamList);

    /**
     * Closes unpaid orders in batch and releases their locked stock.
     */
    @Transactional
    int close(List<Long> ids, String note);

    /**
     * Logically deletes closed orders.
     */
    int delete(List<Long> ids);

    /**
     * Order detail with items and operate history.
     */
    OrdOrderDetail detail(Long id);

    /**
     * Changes the receiver of an order that has not been shipped yet.
     */
    @Transactional
    int updateReceiverInfo(OrdReceiverInfoParam receiverInfoParam);
}
