package io.acdp.shop.admin.dao;

import io.acdp.shop.admin.dto.OrdOrderDeliveryParam;
import io.acdp.shop.admin.dto.OrdOrderDetail;
import io.acdp.shop.admin.dto.OrdOrderQueryParam;
import io.acdp.shop.common.model.OrdOrder;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/**
 * 后台订单自定义查询Dao
 */
public interface OrdOrderDao {
    /**
     * 条件查询订单
     */
    List<OrdOrder> getList(@Param("queryParam") OrdOrderQueryParam queryParam);

    /**
     * 批量发货：只更新待发货的订单
     */
    int delivery(@Param("list") List<OrdOrderDeliveryParam> deliveryParamList);

    /**
     * 获取订单详情
     */
    OrdOrderDetail getDetail(@Param("id") Long id);

    /**
     * 会员最近的订单：按状态分组筛选（unpaid = 待付款，其余为已付款的订单）
     */
    List<OrdOrder> listRecent(@Param("memberId") Long memberId, @Param("group") String group, @Param("count") int count);
}
