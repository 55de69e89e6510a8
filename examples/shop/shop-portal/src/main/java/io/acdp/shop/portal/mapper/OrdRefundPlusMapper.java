package io.acdp.shop.portal.mapper;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import io.acdp.shop.common.entity.OrdRefund;

/**
 * MyBatis-Plus access to refund applications: the queries are built with wrappers in the services.
 */
public interface OrdRefundPlusMapper extends BaseMapper<OrdRefund> {
}
