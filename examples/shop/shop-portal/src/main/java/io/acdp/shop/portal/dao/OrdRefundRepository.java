package io.acdp.shop.portal.dao;

import io.acdp.shop.common.entity.OrdRefund;
import org.springframework.data.jpa.repository.JpaRepository;

public interface OrdRefundRepository extends JpaRepository<OrdRefund, Long> {
}
