package io.acdp.shop.portal.dto;

import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.common.model.OrdOrderItem;
import lombok.Getter;
import lombok.Setter;

import java.util.List;

/**
 * Order together with its order items (loaded by a join in PortalOrderDao.xml).
 */
@Getter
@Setter
public class OrdOrderDetail extends OrdOrder {
    private List<OrdOrderItem> orderItemList;
}
