package io.acdp.shop.portal.service;

import io.acdp.shop.common.entity.OrdShipment;
import io.acdp.shop.common.enums.OrdShipStatus;
import io.acdp.shop.common.exception.ApiException;
import io.acdp.shop.portal.dao.OrdShipmentRepository;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * 运单：没有接口的服务类，用 Spring Data 仓库读写。
 */
@Service
public class OrdShipmentService {
    @Autowired
    private OrdShipmentRepository shipmentRepository;

    /**
     * 发货：只有待发货的运单可以发货
     */
    @Transactional
    public void ship(Long shipmentId) {
        OrdShipment shipment = shipmentRepository.findById(shipmentId).orElseThrow();
        if (shipment.getShipStatus() != OrdShipStatus.WAITING.getState()) {
            throw new ApiException("只有待发货的运单可以发货");
        }
        shipment.setShipStatus(OrdShipStatus.SHIPPED.getState());
        shipmentRepository.save(shipment);
    }

    /**
     * 签收：条件更新，没有更新到行说明运单不是已发货
     */
    @Transactional
    public void receive(Long shipmentId) {
        if (shipmentRepository.markReceived(shipmentId) == 0) {
            throw new ApiException("运单不是已发货状态，无法签收");
        }
    }

    /**
     * 取消运单：已发货的运单原样返回，不做修改
     */
    @Transactional
    public OrdShipment cancel(Long shipmentId) {
        OrdShipment shipment = shipmentRepository.findById(shipmentId).orElseThrow();
        if (shipment.getShipStatus() != OrdShipStatus.WAITING.getState()) {
            return shipment;
        }
        shipment.setShipStatus(OrdShipStatus.CANCELLED.getState());
        return shipmentRepository.save(shipment);
    }

    /**
     * 退回待发货：仓库撤回发货时调用
     */
    @Transactional
    public void reopen(Long shipmentId) {
        shipmentRepository.updateStatus(shipmentId, OrdShipStatus.WAITING.getState());
    }

    public List<OrdShipment> waiting(Long orderId) {
        return shipmentRepository.findByOrderIdAndShipStatus(orderId, OrdShipStatus.WAITING.getState());
    }
}
