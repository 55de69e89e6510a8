package io.acdp.shop.common.mapper;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import io.acdp.shop.common.entity.OrdPayment;
import org.apache.ibatis.annotations.Mapper;

@Mapper
public interface OrdPaymentMapper extends BaseMapper<OrdPayment> {
}
