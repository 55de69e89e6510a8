package io.acdp.shop.portal.service.impl;

import io.acdp.shop.common.exception.Asserts;
import io.acdp.shop.common.mapper.OrdOrderItemMapper;
import io.acdp.shop.common.mapper.OrdOrderMapper;
import io.acdp.shop.common.mapper.OrdOrderSettingMapper;
import io.acdp.shop.common.mapper.UmsIntegrationConsumeSettingMapper;
import io.acdp.shop.common.mapper.UmsMemberMapper;
import io.acdp.shop.common.mapper.UmsMemberReceiveAddressMapper;
import io.acdp.shop.common.model.MktCoupon;
import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.common.model.OrdOrderExample;
import io.acdp.shop.common.model.OrdOrderItem;
import io.acdp.shop.common.model.OrdOrderSetting;
import io.acdp.shop.common.model.UmsIntegrationConsumeSetting;
import io.acdp.shop.common.model.UmsMember;
import io.acdp.shop.common.model.UmsMemberReceiveAddress;
import io.acdp.shop.common.util.GbkLegacyUtil;
import io.acdp.shop.portal.component.CancelOrderSender;
import io.acdp.shop.portal.dao.PortalOrderDao;
import io.acdp.shop.portal.dto.CartPromotionItem;
import io.acdp.shop.portal.dto.ConfirmOrderResult;
import io.acdp.shop.portal.dto.MktCouponHistoryDetail;
import io.acdp.shop.portal.dto.OrdOrderDetail;
import io.acdp.shop.portal.dto.OrdOrderParam;
import io.acdp.shop.portal.service.MktCouponService;
import io.acdp.shop.portal.service.OrdCartItemService;
import io.acdp.shop.portal.service.OrdPortalOrderService;
import io.acdp.shop.portal.service.UmsMemberService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.CollectionUtils;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * 前台订单管理Service实现类
 * 下单时锁定库存，支付成功后扣减库存，取消订单（手动、超时、延迟消息）时释放库存
 */
@Service
public class OrdPortalOrderServiceImpl implements OrdPortalOrderService {
    private static final Logger LOGGER = LoggerFactory.getLogger(OrdPortalOrderServiceImpl.class);

    @Autowired
    private UmsMemberService memberService;
    @Autowired
    private UmsMemberMapper memberMapper;
    @Autowired
    private OrdCartItemService cartItemService;
    @Autowired
    private UmsMemberReceiveAddressMapper memberReceiveAddressMapper;
    @Autowired
    private MktCouponService couponService;
    @Autowired
    private UmsIntegrationConsumeSettingMapper integrationConsumeSettingMapper;
    @Autowired
    private OrdOrderMapper orderMapper;
    @Autowired
    private OrdOrderItemMapper orderItemMapper;
    @Autowired
    private OrdOrderSettingMapper orderSettingMapper;
    @Autowired
    private PortalOrderDao portalOrderDao;
    @Autowired
    private StringRedisTemplate stringRedisTemplate;
    @Autowired
    private CancelOrderSender cancelOrderSender;
    @Value("${redis.key.orderId}")
    private String redisKeyOrderId;
    @Value("${redis.database}")
    private String redisDatabase;

    @Override
    public ConfirmOrderResult generateConfirmOrder(List<Long> cartIds) {
        ConfirmOrderResult result = new ConfirmOrderResult();
        //获取购物车信息
        UmsMember currentMember = memberService.getCurrentMember();
        List<CartPromotionItem> cartPromotionItemList = cartItemService.listPromotion(currentMember.getId(), cartIds);
        result.setCartPromotionItemList(cartPromotionItemList);
        //获取用户收货地址列表
        List<UmsMemberReceiveAddress> addressList = memberReceiveAddressMapper.selectByMemberId(currentMember.getId());
        result.setMemberReceiveAddressList(addressList);
        //获取用户可用优惠券列表
        List<MktCouponHistoryDetail> couponHistoryDetailList = couponService.listCart(currentMember.getId(), cartPromotionItemList, 1);
        result.setCouponHistoryDetailList(couponHistoryDetailList);
        //获取用户积分
        result.setMemberIntegration(currentMember.getIntegration());
        //获取积分使用规则
        UmsIntegrationConsumeSetting integrationConsumeSetting = integrationConsumeSettingMapper.selectByPrimaryKey(1L);
        result.setIntegrationConsumeSetting(integrationConsumeSetting);
        //计算总金额、活动优惠、应付金额
        ConfirmOrderResult.CalcAmount calcAmount = calcCartAmount(cartPromotionItemList);
        result.setCalcAmount(calcAmount);
        return result;
    }

    @Override
    public boolean checkStock(List<Long> cartIds) {
        UmsMember currentMember = memberService.getCurrentMember();
        List<CartPromotionItem> cartPromotionItemList = cartItemService.listPromotion(currentMember.getId(), cartIds);
        return !CollectionUtils.isEmpty(cartPromotionItemList) && hasStock(cartPromotionItemList);
    }

    @Override
    public Map<String, Object> generateOrder(OrdOrderParam orderParam) {
        List<OrdOrderItem> orderItemList = new ArrayList<>();
        //获取购物车及优惠信息
        UmsMember currentMember = memberService.getCurrentMember();
        List<CartPromotionItem> cartPromotionItemList = cartItemService.listPromotion(currentMember.getId(), orderParam.getCartIds());
        if (CollectionUtils.isEmpty(cartPromotionItemList)) {
            Asserts.fail("购物车中没有选中的商品");
        }
        //1.校验收货地址
        if (orderParam.getMemberReceiveAddressId() == null) {
            Asserts.fail("请选择收货地址！");
        }
        UmsMemberReceiveAddress address = memberReceiveAddressMapper.selectByPrimaryKey(orderParam.getMemberReceiveAddressId());
        if (address == null || !currentMember.getId().equals(address.getMemberId())) {
            Asserts.fail("收货地址不存在");
        }
        //2.生成下单商品信息
        for (CartPromotionItem cartPromotionItem : cartPromotionItemList) {
            OrdOrderItem orderItem = new OrdOrderItem();
            orderItem.setProductId(cartPromotionItem.getProductId());
            orderItem.setProductName(cartPromotionItem.getProductName());
            orderItem.setProductAttr(cartPromotionItem.getProductAttr());
            orderItem.setProductPrice(cartPromotionItem.getPrice());
            orderItem.setProductQuantity(cartPromotionItem.getQuantity());
            orderItem.setProductSkuId(cartPromotionItem.getProductSkuId());
            orderItem.setProductSkuCode(cartPromotionItem.getProductSkuCode());
            orderItem.setProductCategoryId(cartPromotionItem.getProductCategoryId());
            orderItem.setPromotionAmount(cartPromotionItem.getReduceAmount());
            orderItem.setPromotionName(cartPromotionItem.getPromotionMessage());
            orderItem.setGiftIntegration(cartPromotionItem.getIntegration());
            orderItem.setGiftGrowth(cartPromotionItem.getGrowth());
            orderItem.setCouponAmount(new BigDecimal(0));
            orderItem.setIntegrationAmount(new BigDecimal(0));
            orderItemList.add(orderItem);
        }
        //3.判断库存
        if (!hasStock(cartPromotionItemList)) {
            Asserts.fail("库存不足，无法下单");
        }
        //4.判断是否使用了优惠券
        if (orderParam.getCouponId() != null) {
            MktCouponHistoryDetail couponHistoryDetail = getUseCoupon(currentMember.getId(), cartPromotionItemList, orderParam.getCouponId());
            if (couponHistoryDetail == null) {
                Asserts.fail("该优惠券不可用");
            }
            //对下单商品的优惠券进行处理
            handleCouponAmount(orderItemList, couponHistoryDetail);
        }
        //5.判断是否使用积分
        if (orderParam.getUseIntegration() != null && orderParam.getUseIntegration() > 0) {
            BigDecimal totalAmount = calcTotalAmount(orderItemList);
            BigDecimal integrationAmount = getUseIntegrationAmount(orderParam.getUseIntegration(), totalAmount, currentMember, orderParam.getCouponId() != null);
            //按商品价格占比把积分抵扣金额分摊到每件商品
            for (OrdOrderItem orderItem : orderItemList) {
                BigDecimal perAmount = orderItem.getProductPrice().divide(totalAmount, 3, RoundingMode.HALF_EVEN).multiply(integrationAmount);
                orderItem.setIntegrationAmount(perAmount);
            }
        }
        //6.计算order_item的实付金额
        handleRealAmount(orderItemList);
        //7.根据商品合计、运费、活动优惠、优惠券、积分计算应付金额
        OrdOrder order = new OrdOrder();
        order.setDiscountAmount(new BigDecimal(0));
        order.setTotalAmount(calcTotalAmount(orderItemList));
        order.setFreightAmount(GbkLegacyUtil.calcFreight(order.getTotalAmount()));
        order.setPromotionAmount(calcPromotionAmount(orderItemList));
        order.setPromotionInfo(getOrderPromotionInfo(orderItemList));
        order.setCouponAmount(new BigDecimal(0));
        if (orderParam.getCouponId() != null) {
            order.setCouponId(orderParam.getCouponId());
            order.setCouponAmount(calcCouponAmount(orderItemList));
        }
        order.setIntegrationAmount(new BigDecimal(0));
        if (orderParam.getUseIntegration() != null && orderParam.getUseIntegration() > 0) {
            order.setIntegrationAmount(calcIntegrationAmount(orderItemList));
            order.setUseIntegration(orderParam.getUseIntegration());
        }
        order.setPayAmount(calcPayAmount(order));
        //8.核对前端展示的应付金额
        if (orderParam.getExpectedPayAmount() != null && orderParam.getExpectedPayAmount().compareTo(order.getPayAmount()) != 0) {
            Asserts.fail("订单金额已变化，请重新确认订单");
        }
        //9.锁定库存
        lockStock(cartPromotionItemList);
        //10.转化为订单信息
        order.setMemberId(currentMember.getId());
        order.setCreateTime(new Date());
        order.setMemberUsername(currentMember.getUsername());
        //支付方式：0->未支付；1->支付宝；2->微信
        order.setPayType(orderParam.getPayType());
        //订单来源：0->PC订单；1->app订单
        order.setSourceType(orderParam.getSourceType());
        //订单状态：0->待付款；1->待发货；2->已发货；3->已完成；4->已关闭；5->无效订单
        order.setStatus(0);
        //订单类型：0->正常订单；1->秒杀订单
        order.setOrderType(0);
        //收货人信息：姓名、电话、邮编、地址
        order.setReceiverName(address.getName());
        order.setReceiverPhone(address.getPhoneNumber());
        order.setReceiverPostCode(address.getPostCode());
        order.setReceiverProvince(address.getProvince());
        order.setReceiverCity(address.getCity());
        order.setReceiverRegion(address.getRegion());
        order.setReceiverDetailAddress(address.getDetailAddress());
        //0->未确认；1->已确认
        order.setConfirmStatus(0);
        order.setDeleteStatus(0);
        order.setIntegration(0);
        order.setGrowth(0);
        //11.生成订单号
        order.setOrderSn(generateOrderSn(order));
        //设置自动收货天数
        OrdOrderSetting orderSetting = orderSettingMapper.selectByPrimaryKey(1L);
        order.setAutoConfirmDay(orderSetting.getConfirmOvertime());
        //12.插入订单表和订单商品表
        orderMapper.insert(order);
        for (OrdOrderItem orderItem : orderItemList) {
            orderItem.setOrderId(order.getId());
            orderItem.setOrderSn(order.getOrderSn());
        }
        portalOrderDao.insertOrderItemList(orderItemList);
        //13.如使用优惠券更新优惠券使用状态
        if (orderParam.getCouponId() != null) {
            couponService.updateCouponStatus(orderParam.getCouponId(), currentMember.getId(), 1);
        }
        //14.如使用积分需要扣除积分
        if (orderParam.getUseIntegration() != null && orderParam.getUseIntegration() > 0) {
            memberService.updateIntegration(currentMember.getId(), currentMember.getIntegration() - orderParam.getUseIntegration());
        }
        //15.删除购物车中的下单商品
        deleteCartItemList(cartPromotionItemList, currentMember);
        //16.发送延迟消息取消订单（事务提交后发送）
        final Long orderId = order.getId();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                sendDelayMessageCancelOrder(orderId);
            }
        });
        Map<String, Object> result = new HashMap<>();
        result.put("order", order);
        result.put("orderItemList", orderItemList);
        return result;
    }

    @Override
    public Integer paySuccess(Long orderId, Integer payType, BigDecimal payAmount) {
        if (payType == null || (payType != 1 && payType != 2)) {
            throw new IllegalArgumentException("不支持的支付方式：" + payType);
        }
        OrdOrder order = orderMapper.selectByPrimaryKey(orderId);
        if (order == null || order.getDeleteStatus() == 1) {
            Asserts.fail("订单不存在");
        }
        if (order.getStatus() != 0) {
            Asserts.fail("订单状态不是待付款，无法支付");
        }
        if (payAmount == null || payAmount.compareTo(order.getPayAmount()) != 0) {
            Asserts.fail("支付金额与订单应付金额不一致");
        }
        //修改订单支付状态：只有仍为待付款的订单才会被更新
        OrdOrder update = new OrdOrder();
        update.setStatus(1);
        update.setPaymentTime(new Date());
        update.setPayType(payType);
        OrdOrderExample example = new OrdOrderExample();
        example.createCriteria().andIdEqualTo(orderId).andStatusEqualTo(0).andDeleteStatusEqualTo(0);
        int updateCount = orderMapper.updateByExampleSelective(update, example);
        if (updateCount == 0) {
            Asserts.fail("订单已支付或已关闭");
        }
        //扣减真实库存，同时减少锁定库存
        OrdOrderDetail orderDetail = portalOrderDao.getDetail(orderId);
        for (OrdOrderItem orderItem : orderDetail.getOrderItemList()) {
            int count = portalOrderDao.reduceSkuStock(orderItem.getProductSkuId(), orderItem.getProductQuantity());
            if (count == 0) {
                Asserts.fail("库存不足，扣减库存失败");
            }
        }
        return orderDetail.getOrderItemList().size();
    }

    @Override
    public Integer cancelTimeOutOrder() {
        OrdOrderSetting orderSetting = orderSettingMapper.selectByPrimaryKey(1L);
        //查询超时、未支付的订单及订单详情
        List<OrdOrderDetail> timeOutOrders = portalOrderDao.getTimeOutOrders(orderSetting.getNormalOrderOvertime());
        if (CollectionUtils.isEmpty(timeOutOrders)) {
            return 0;
        }
        //修改订单状态为交易关闭
        List<Long> ids = new ArrayList<>();
        for (OrdOrderDetail timeOutOrder : timeOutOrders) {
            ids.add(timeOutOrder.getId());
        }
        portalOrderDao.closeOrders(ids);
        for (OrdOrderDetail timeOutOrder : timeOutOrders) {
            //解除订单商品库存锁定
            releaseLockedStock(timeOutOrder.getOrderItemList());
            //修改优惠券使用状态
            couponService.updateCouponStatus(timeOutOrder.getCouponId(), timeOutOrder.getMemberId(), 0);
            //返还使用积分
            restoreIntegration(timeOutOrder.getMemberId(), timeOutOrder.getUseIntegration());
        }
        return timeOutOrders.size();
    }

    @Override
    public void cancelOrder(Long orderId) {
        //查询未付款的订单，已支付或已关闭的订单不做处理
        OrdOrderExample example = new OrdOrderExample();
        example.createCriteria().andIdEqualTo(orderId).andStatusEqualTo(0).andDeleteStatusEqualTo(0);
        List<OrdOrder> cancelOrderList = orderMapper.selectByExample(example);
        if (CollectionUtils.isEmpty(cancelOrderList)) {
            return;
        }
        OrdOrder cancelOrder = cancelOrderList.get(0);
        //修改订单状态为已关闭
        cancelOrder.setStatus(4);
        cancelOrder.setModifyTime(new Date());
        orderMapper.updateByPrimaryKeySelective(cancelOrder);
        //解除订单商品库存锁定
        List<OrdOrderItem> orderItemList = orderItemMapper.selectByOrderId(orderId);
        releaseLockedStock(orderItemList);
        //修改优惠券使用状态
        couponService.updateCouponStatus(cancelOrder.getCouponId(), cancelOrder.getMemberId(), 0);
        //返还使用积分
        restoreIntegration(cancelOrder.getMemberId(), cancelOrder.getUseIntegration());
    }

    @Override
    public void sendDelayMessageCancelOrder(Long orderId) {
        //获取订单超时时间，单位为分钟
        OrdOrderSetting orderSetting = orderSettingMapper.selectByPrimaryKey(1L);
        long delayTimes = orderSetting.getNormalOrderOvertime() * 60 * 1000L;
        //发送延迟消息
        cancelOrderSender.sendMessage(orderId, delayTimes);
    }

    @Override
    public void confirmReceiveOrder(Long orderId) {
        UmsMember member = memberService.getCurrentMember();
        OrdOrder order = orderMapper.selectByPrimaryKey(orderId);
        if (order == null || !member.getId().equals(order.getMemberId())) {
            Asserts.fail("不能确认他人订单！");
        }
        if (order.getStatus() != 2) {
            Asserts.fail("该订单还未发货！");
        }
        order.setStatus(3);
        order.setConfirmStatus(1);
        order.setReceiveTime(new Date());
        orderMapper.updateByPrimaryKeySelective(order);
    }

    @Override
    public OrdOrderDetail detail(Long orderId) {
        UmsMember member = memberService.getCurrentMember();
        OrdOrderDetail detail = portalOrderDao.getDetail(orderId);
        if (detail == null || !member.getId().equals(detail.getMemberId())) {
            Asserts.fail("订单不存在");
        }
        return detail;
    }

    @Override
    public void deleteOrder(Long orderId) {
        UmsMember member = memberService.getCurrentMember();
        OrdOrder order = orderMapper.selectByPrimaryKey(orderId);
        if (order == null || !member.getId().equals(order.getMemberId())) {
            Asserts.fail("不能删除他人订单！");
        }
        if (order.getStatus() != 3 && order.getStatus() != 4) {
            Asserts.fail("只能删除已完成或已关闭的订单！");
        }
        order.setDeleteStatus(1);
        orderMapper.updateByPrimaryKeySelective(order);
    }

    /**
     * 生成18位订单编号:8位日期+2位平台号码+2位支付方式+6位以上自增id
     */
    private String generateOrderSn(OrdOrder order) {
        StringBuilder sb = new StringBuilder();
        String date = new SimpleDateFormat("yyyyMMdd").format(new Date());
        String key = redisDatabase + ":" + redisKeyOrderId + date;
        Long increment = stringRedisTemplate.opsForValue().increment(key, 1);
        sb.append(date);
        sb.append(String.format("%02d", order.getSourceType()));
        sb.append(String.format("%02d", order.getPayType()));
        String incrementStr = String.valueOf(increment);
        if (incrementStr.length() <= 6) {
            sb.append(String.format("%06d", increment));
        } else {
            sb.append(incrementStr);
        }
        return sb.toString();
    }

    /**
     * 删除下单商品的购物车信息
     */
    private void deleteCartItemList(List<CartPromotionItem> cartPromotionItemList, UmsMember currentMember) {
        List<Long> ids = new ArrayList<>();
        for (CartPromotionItem cartPromotionItem : cartPromotionItemList) {
            ids.add(cartPromotionItem.getId());
        }
        cartItemService.delete(currentMember.getId(), ids);
    }

    /**
     * 获取可用积分抵扣金额
     *
     * @param useIntegration 使用的积分数量
     * @param totalAmount    订单总金额
     * @param currentMember  使用的用户
     * @param hasCoupon      是否已经使用优惠券
     */
    private BigDecimal getUseIntegrationAmount(Integer useIntegration, BigDecimal totalAmount, UmsMember currentMember, boolean hasCoupon) {
        //判断用户是否有这么多积分
        if (useIntegration.compareTo(currentMember.getIntegration()) > 0) {
            Asserts.fail("积分不足，无法抵扣");
        }
        //根据积分使用规则判断是否可用
        UmsIntegrationConsumeSetting integrationConsumeSetting = integrationConsumeSettingMapper.selectByPrimaryKey(1L);
        if (hasCoupon && integrationConsumeSetting.getCouponStatus().equals(0)) {
            //不可与优惠券共用
            Asserts.fail("积分不能与优惠券同时使用");
        }
        //是否达到最低使用积分门槛
        if (useIntegration.compareTo(integrationConsumeSetting.getUseUnit()) < 0) {
            Asserts.fail("使用积分数量不能低于" + integrationConsumeSetting.getUseUnit());
        }
        //积分抵扣金额 = 使用积分 / 每元抵扣积分数
        BigDecimal integrationAmount = new BigDecimal(useIntegration)
                .divide(new BigDecimal(integrationConsumeSetting.getDeductionPerAmount()), 2, RoundingMode.HALF_EVEN);
        //是否超过订单抵用最高百分比
        BigDecimal maxPercent = new BigDecimal(integrationConsumeSetting.getUseLimit())
                .divide(new BigDecimal(100), 2, RoundingMode.HALF_EVEN);
        if (integrationAmount.compareTo(totalAmount.multiply(maxPercent)) > 0) {
            Asserts.fail("积分抵扣金额不能超过订单金额的" + integrationConsumeSetting.getUseLimit() + "%");
        }
        return integrationAmount;
    }

    /**
     * 获取该用户可以使用的优惠券
     *
     * @param couponId 使用优惠券id
     */
    private MktCouponHistoryDetail getUseCoupon(Long memberId, List<CartPromotionItem> cartPromotionItemList, Long couponId) {
        List<MktCouponHistoryDetail> couponHistoryDetailList = couponService.listCart(memberId, cartPromotionItemList, 1);
        for (MktCouponHistoryDetail couponHistoryDetail : couponHistoryDetailList) {
            if (couponHistoryDetail.getCoupon().getId().equals(couponId)) {
                return couponHistoryDetail;
            }
        }
        return null;
    }

    /**
     * 对优惠券优惠进行处理
     * 使用类型：0->全场通用；1->指定分类；2->指定商品
     */
    private void handleCouponAmount(List<OrdOrderItem> orderItemList, MktCouponHistoryDetail couponHistoryDetail) {
        MktCoupon coupon = couponHistoryDetail.getCoupon();
        if (coupon.getUseType().equals(0)) {
            //全场通用
            calcPerCouponAmount(orderItemList, coupon);
        } else if (coupon.getUseType().equals(1)) {
            //指定分类
            List<OrdOrderItem> couponOrderItemList = new ArrayList<>();
            for (OrdOrderItem orderItem : orderItemList) {
                if (coupon.getProductCategoryId().equals(orderItem.getProductCategoryId())) {
                    couponOrderItemList.add(orderItem);
                }
            }
            calcPerCouponAmount(couponOrderItemList, coupon);
        } else if (coupon.getUseType().equals(2)) {
            //指定商品
            List<OrdOrderItem> couponOrderItemList = new ArrayList<>();
            for (OrdOrderItem orderItem : orderItemList) {
                if (coupon.getProductId().equals(orderItem.getProductId())) {
                    couponOrderItemList.add(orderItem);
                }
            }
            calcPerCouponAmount(couponOrderItemList, coupon);
        }
    }

    /**
     * 对每个下单商品进行优惠券金额分摊的计算
     * 商品单件优惠金额 = (商品价格 / 可用商品总价) * 优惠券面额
     */
    private void calcPerCouponAmount(List<OrdOrderItem> orderItemList, MktCoupon coupon) {
        BigDecimal totalAmount = calcTotalAmount(orderItemList);
        for (OrdOrderItem orderItem : orderItemList) {
            BigDecimal couponAmount = orderItem.getProductPrice().divide(totalAmount, 3, RoundingMode.HALF_EVEN).multiply(coupon.getAmount());
            orderItem.setCouponAmount(couponAmount);
        }
    }

    /**
     * 计算每个下单商品优惠后的实付金额
     * 原价 - 促销优惠 - 优惠券抵扣 - 积分抵扣
     */
    private void handleRealAmount(List<OrdOrderItem> orderItemList) {
        for (OrdOrderItem orderItem : orderItemList) {
            BigDecimal realAmount = orderItem.getProductPrice()
                    .subtract(orderItem.getPromotionAmount())
                    .subtract(orderItem.getCouponAmount())
                    .subtract(orderItem.getIntegrationAmount());
            orderItem.setRealAmount(realAmount);
        }
    }

    /**
     * 获取订单促销信息
     */
    private String getOrderPromotionInfo(List<OrdOrderItem> orderItemList) {
        StringBuilder sb = new StringBuilder();
        for (OrdOrderItem orderItem : orderItemList) {
            sb.append(orderItem.getPromotionName());
            sb.append(";");
        }
        String result = sb.toString();
        if (result.endsWith(";")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    /**
     * 计算订单应付金额
     * 应付金额 = 商品总金额 + 运费 - 促销优惠 - 优惠券抵扣 - 积分抵扣
     */
    private BigDecimal calcPayAmount(OrdOrder order) {
        BigDecimal payAmount = order.getTotalAmount()
                .add(order.getFreightAmount())
                .subtract(order.getPromotionAmount())
                .subtract(order.getCouponAmount())
                .subtract(order.getIntegrationAmount());
        return payAmount;
    }

    /**
     * 计算订单优惠券金额
     */
    private BigDecimal calcCouponAmount(List<OrdOrderItem> orderItemList) {
        BigDecimal couponAmount = new BigDecimal(0);
        for (OrdOrderItem orderItem : orderItemList) {
            if (orderItem.getCouponAmount() != null) {
                couponAmount = couponAmount.add(orderItem.getCouponAmount().multiply(new BigDecimal(orderItem.getProductQuantity())));
            }
        }
        return couponAmount;
    }

    /**
     * 计算订单积分抵扣金额
     */
    private BigDecimal calcIntegrationAmount(List<OrdOrderItem> orderItemList) {
        BigDecimal integrationAmount = new BigDecimal(0);
        for (OrdOrderItem orderItem : orderItemList) {
            if (orderItem.getIntegrationAmount() != null) {
                integrationAmount = integrationAmount.add(orderItem.getIntegrationAmount().multiply(new BigDecimal(orderItem.getProductQuantity())));
            }
        }
        return integrationAmount;
    }

    /**
     * 计算订单活动优惠
     */
    private BigDecimal calcPromotionAmount(List<OrdOrderItem> orderItemList) {
        BigDecimal promotionAmount = new BigDecimal(0);
        for (OrdOrderItem orderItem : orderItemList) {
            if (orderItem.getPromotionAmount() != null) {
                promotionAmount = promotionAmount.add(orderItem.getPromotionAmount().multiply(new BigDecimal(orderItem.getProductQuantity())));
            }
        }
        return promotionAmount;
    }

    /**
     * 计算总金额：每件商品价格乘以数量后累加
     */
    private BigDecimal calcTotalAmount(List<OrdOrderItem> orderItemList) {
        BigDecimal totalAmount = new BigDecimal("0");
        for (OrdOrderItem item : orderItemList) {
            totalAmount = totalAmount.add(item.getProductPrice().multiply(new BigDecimal(item.getProductQuantity())));
        }
        return totalAmount;
    }

    /**
     * 计算购物车中商品的价格
     */
    private ConfirmOrderResult.CalcAmount calcCartAmount(List<CartPromotionItem> cartPromotionItemList) {
        ConfirmOrderResult.CalcAmount calcAmount = new ConfirmOrderResult.CalcAmount();
        BigDecimal totalAmount = new BigDecimal("0");
        BigDecimal promotionAmount = new BigDecimal("0");
        for (CartPromotionItem cartPromotionItem : cartPromotionItemList) {
            totalAmount = totalAmount.add(cartPromotionItem.getPrice().multiply(new BigDecimal(cartPromotionItem.getQuantity())));
            promotionAmount = promotionAmount.add(cartPromotionItem.getReduceAmount().multiply(new BigDecimal(cartPromotionItem.getQuantity())));
        }
        calcAmount.setTotalAmount(totalAmount);
        calcAmount.setPromotionAmount(promotionAmount);
        calcAmount.setFreightAmount(GbkLegacyUtil.calcFreight(totalAmount));
        calcAmount.setPayAmount(totalAmount.add(calcAmount.getFreightAmount()).subtract(promotionAmount));
        return calcAmount;
    }

    /**
     * 判断下单商品是否都有库存
     * 可用库存为空、不大于0或小于购买数量时视为库存不足
     */
    private boolean hasStock(List<CartPromotionItem> cartPromotionItemList) {
        for (CartPromotionItem cartPromotionItem : cartPromotionItemList) {
            if (cartPromotionItem.getRealStock() == null
                    || cartPromotionItem.getRealStock() <= 0
                    || cartPromotionItem.getRealStock() < cartPromotionItem.getQuantity()) {
                return false;
            }
        }
        return true;
    }

    /**
     * 锁定下单商品的所有库存
     */
    private void lockStock(List<CartPromotionItem> cartPromotionItemList) {
        for (CartPromotionItem cartPromotionItem : cartPromotionItemList) {
            int count = portalOrderDao.lockStockBySkuId(cartPromotionItem.getProductSkuId(), cartPromotionItem.getQuantity());
            if (count == 0) {
                Asserts.fail("商品库存锁定失败，库存不足");
            }
        }
    }

    /**
     * 释放订单商品的锁定库存
     */
    private void releaseLockedStock(List<OrdOrderItem> orderItemList) {
        if (CollectionUtils.isEmpty(orderItemList)) {
            return;
        }
        for (OrdOrderItem orderItem : orderItemList) {
            int count = portalOrderDao.releaseStockBySkuId(orderItem.getProductSkuId(), orderItem.getProductQuantity());
            if (count == 0) {
                LOGGER.warn("release stock skipped, skuId={}, quantity={}", orderItem.getProductSkuId(), orderItem.getProductQuantity());
            }
        }
    }

    /**
     * 返还下单时使用的积分
     */
    private void restoreIntegration(Long memberId, Integer useIntegration) {
        if (useIntegration == null || useIntegration <= 0) {
            return;
        }
        UmsMember member = memberMapper.selectByPrimaryKey(memberId);
        if (member != null) {
            memberService.updateIntegration(memberId, member.getIntegration() + useIntegration);
        }
    }
}
