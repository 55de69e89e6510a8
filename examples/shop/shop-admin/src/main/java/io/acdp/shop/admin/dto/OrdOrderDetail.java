package io.acdp.shop.admin.dto;

import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.common.model.OrdOrderItem;
import io.acdp.shop.common.model.OrdOrderOperateHistory;
import lombok.Getter;
import lombok.Setter;

import java.util.List;

/**
 * 后台订单详情：订单、订单商品和操作记录
 */
@Getter
@Setter
public class OrdOrderDetail extends OrdOrder {
    private List<OrdOrderItem> orderItemList;

    private List<OrdOrderOperateHistory> historyList;
}
