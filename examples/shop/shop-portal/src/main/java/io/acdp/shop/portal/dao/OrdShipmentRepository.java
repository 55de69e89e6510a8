package io.acdp.shop.portal.dao;

import io.acdp.shop.common.entity.OrdShipment;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface OrdShipmentRepository extends JpaRepository<OrdShipment, Long> {

    List<OrdShipment> findByOrderIdAndShipStatus(Long orderId, Integer shipStatus);

    /**
     * 签收：只有已发货的运单会变成已签收
     */
    @Modifying
    @Query(value = "update ord_shipment set ship_status = 2 where id = :id and ship_status = 1", nativeQuery = true)
    int markReceived(@Param("id") Long id);

    @Modifying
    @Query(value = "update ord_shipment set ship_status = :status where id = :id", nativeQuery = true)
    int updateStatus(@Param("id") Long id, @Param("status") Integer status);
}
