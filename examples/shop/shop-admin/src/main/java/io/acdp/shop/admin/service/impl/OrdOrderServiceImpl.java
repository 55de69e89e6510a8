package io.acdp.shop.admin.service.impl;

import com.github.pagehelper.PageHelper;
import io.acdp.shop.admin.dao.InvSkuStockDao;
import io.acdp.shop.admin.dao.OrdOrderDao;
import io.acdp.shop.admin.dto.OrdOrderDeliveryParam;
import io.acdp.shop.admin.dto.OrdOrderDetail;
import io.acdp.shop.admin.dto.OrdOrderQueryParam;
import io.acdp.shop.admin.dto.OrdReceiverInfoParam;
import io.acdp.shop.admin.service.OrdOrderService;
import io.acdp.shop.common.exception.Asserts;
import io.acdp.shop.common.mapper.OrdOrderItemMapper;
import io.acdp.shop.common.mapper.OrdOrderMapper;
import io.acdp.shop.common.mapper.OrdOrderOperateHistoryMapper;
import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.common.model.OrdOrderExample;
import io.acdp.shop.common.model.OrdOrderItem;
import io.acdp.shop.common.model.OrdOrderOperateHistory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Back-office order management.
 *
 * <p>Every state change made here is recorded in ord_order_operate_history with the
 * operator "后台管理员" and the status the order has after the change.</p>
 */
@Service
public class OrdOrderServiceImpl implements OrdOrderService {
    private static final String OPERATOR = "后台管理员";

    @Autowired
    private OrdOrderMapper orderMapper;
    @Autowired
    private OrdOrderItemMapper orderItemMapper;
    @Autowired
    private OrdOrderDao orderDao;
    @Autowired
    private InvSkuStockDao skuStockDao;
    @Autowired
    private OrdOrderOperateHistoryMapper orderOperateHistoryMapper;

    @Override
    public List<OrdOrder> list(OrdOrderQueryParam queryParam, Integer pageSize, Integer pageNum) {
        PageHelper.startPage(pageNum, pageSize);
        return orderDao.getList(queryParam);
    }

    @Override
    public int delivery(List<OrdOrderDeliveryParam> deliveryParamList) {
        if (deliveryParamList == null || deliveryParamList.isEmpty()) {
            throw new IllegalArgumentException("delivery list must not be empty");
        }
        for (OrdOrderDeliveryParam param : deliveryParamList) {
            OrdOrder order = orderMapper.selectByPrimaryKey(param.getOrderId());
            if (order == null) {
                Asserts.fail("订单不存在");
            }
            // only orders waiting for delivery (status 1) can be shipped
            if (order.getStatus() != 1) {
                Asserts.fail("只有待发货的订单才能发货，订单号：" + order.getOrderSn());
            }
            if (param.getDeliverySn() == null || param.getDeliverySn().isEmpty()) {
                Asserts.fail("物流单号不能为空");
            }
        }
        // batch update: status 1 -> 2, delivery company, tracking number and time
        int count = orderDao.delivery(deliveryParamList);
        // record one operate history per shipped order
        List<OrdOrderOperateHistory> historyList = new ArrayList<>();
        for (OrdOrderDeliveryParam param : deliveryParamList) {
            historyList.add(newHistory(param.getOrderId(), 2, "完成发货"));
        }
        historyList.forEach(orderOperateHistoryMapper::insert);
        return count;
    }

    @Override
    public int close(List<Long> ids, String note) {
        if (ids == null || ids.isEmpty()) {
            throw new IllegalArgumentException("ids must not be empty");
        }
        // only unpaid orders (status 0) are closed; status 4 = closed
        OrdOrder record = new OrdOrder();
        record.setStatus(4);
        record.setModifyTime(new Date());
        OrdOrderExample example = new OrdOrderExample();
        example.createCriteria().andDeleteStatusEqualTo(0).andIdIn(ids).andStatusEqualTo(0);
        int count = orderMapper.updateByExampleSelective(record, example);
        // release the stock locked by the closed orders, then record the history
        for (Long id : ids) {
            for (OrdOrderItem item : orderItemMapper.selectByOrderId(id)) {
                skuStockDao.releaseLockStock(item.getProductSkuId(), item.getProductQuantity());
            }
            orderOperateHistoryMapper.insert(newHistory(id, 4, "订单关闭:" + note));
        }
        return count;
    }

    @Override
    public int delete(List<Long> ids) {
        for (Long id : ids) {
            OrdOrder order = orderMapper.selectByPrimaryKey(id);
            if (order == null) {
                Asserts.fail("订单不存在");
            }
            // only closed orders (status 4) may be deleted from the back office
            if (order.getStatus() != 4) {
                Asserts.fail("只能删除已关闭的订单");
            }
        }
        OrdOrder record = new OrdOrder();
        record.setDeleteStatus(1);
        OrdOrderExample example = new OrdOrderExample();
        example.createCriteria().andDeleteStatusEqualTo(0).andIdIn(ids);
        return orderMapper.updateByExampleSelective(record, example);
    }

    @Override
    public OrdOrderDetail detail(Long id) {
        OrdOrderDetail detail = orderDao.getDetail(id);
        if (detail == null) {
            Asserts.fail("订单不存在");
        }
        return detail;
    }

    @Override
    public int updateReceiverInfo(OrdReceiverInfoParam receiverInfoParam) {
        OrdOrder current = orderMapper.selectByPrimaryKey(receiverInfoParam.getOrderId());
        if (current == null) {
            Asserts.fail("订单不存在");
        }
        // once shipped (status >= 2) the receiver can no longer be changed
        if (current.getStatus() >= 2) {
            Asserts.fail("订单已发货，不能修改收货人信息");
        }
        OrdOrder order = new OrdOrder();
        order.setId(receiverInfoParam.getOrderId());
        order.setReceiverName(receiverInfoParam.getReceiverName());
        order.setReceiverPhone(receiverInfoParam.getReceiverPhone());
        order.setReceiverPostCode(receiverInfoParam.getReceiverPostCode());
        order.setReceiverDetailAddress(receiverInfoParam.getReceiverDetailAddress());
        order.setReceiverProvince(receiverInfoParam.getReceiverProvince());
        order.setReceiverCity(receiverInfoParam.getReceiverCity());
        order.setReceiverRegion(receiverInfoParam.getReceiverRegion());
        order.setModifyTime(new Date());
        int count = orderMapper.updateByPrimaryKeySelective(order);
        // record the change with the order's current status
        orderOperateHistoryMapper.insert(newHistory(current.getId(), current.getStatus(), "修改收货人信息"));
        return count;
    }

    private OrdOrderOperateHistory newHistory(Long orderId, Integer orderStatus, String note) {
        OrdOrderOperateHistory history = new OrdOrderOperateHistory();
        history.setOrderId(orderId);
        history.setCreateTime(new Date());
        history.setOperateMan(OPERATOR);
        history.setOrderStatus(orderStatus);
        history.setNote(note);
        return history;
    }
}
