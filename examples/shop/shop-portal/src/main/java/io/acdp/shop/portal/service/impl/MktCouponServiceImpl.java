package io.acdp.shop.portal.service.impl;

import io.acdp.shop.common.mapper.MktCouponHistoryMapper;
import io.acdp.shop.common.mapper.MktCouponMapper;
import io.acdp.shop.common.model.MktCoupon;
import io.acdp.shop.common.model.MktCouponHistory;
import io.acdp.shop.portal.dto.CartPromotionItem;
import io.acdp.shop.portal.dto.MktCouponHistoryDetail;
import io.acdp.shop.portal.service.MktCouponService;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Portal coupon service.
 *
 * <p>A coupon is usable for a cart only when it is still unused, the current time lies
 * between its start and end time and the relevant amount reaches its threshold
 * ({@code minPoint}). Which amount is relevant depends on {@code useType}: the whole cart,
 * the items of one product category, or the items of one product.</p>
 */
@Service
public class MktCouponServiceImpl implements MktCouponService {
    @Autowired
    private MktCouponHistoryMapper couponHistoryMapper;
    @Autowired
    private MktCouponMapper couponMapper;

    @Override
    public List<MktCouponHistoryDetail> listCart(Long memberId, List<CartPromotionItem> cartItemList, Integer type) {
        Date now = new Date();
        List<MktCouponHistoryDetail> enableList = new ArrayList<>();
        List<MktCouponHistoryDetail> disableList = new ArrayList<>();
        // only coupons with useStatus 0 (unused) are candidates
        List<MktCouponHistory> histories = couponHistoryMapper.selectByMemberIdAndUseStatus(memberId, 0);
        for (MktCouponHistory history : histories) {
            MktCoupon coupon = couponMapper.selectByPrimaryKey(history.getCouponId());
            MktCouponHistoryDetail detail = new MktCouponHistoryDetail();
            BeanUtils.copyProperties(history, detail);
            detail.setCoupon(coupon);
            if (isUsable(coupon, cartItemList, now)) {
                enableList.add(detail);
            } else {
                disableList.add(detail);
            }
        }
        return type != null && type.equals(1) ? enableList : disableList;
    }

    /**
     * Checks the validity period and the threshold of one coupon against the cart.
     */
    private boolean isUsable(MktCoupon coupon, List<CartPromotionItem> cartItemList, Date now) {
        if (coupon == null) {
            return false;
        }
        // the coupon must be inside its validity window
        if (now.before(coupon.getStartTime()) || now.after(coupon.getEndTime())) {
            return false;
        }
        BigDecimal minPoint = coupon.getMinPoint();
        Integer useType = coupon.getUseType();
        if (useType.equals(0)) {
            // 0 -> whole order: the cart total must reach minPoint
            return calcTotalAmount(cartItemList).compareTo(minPoint) >= 0;
        } else if (useType.equals(1)) {
            // 1 -> one product category: only items of that category count
            BigDecimal categoryAmount = BigDecimal.ZERO;
            for (CartPromotionItem item : cartItemList) {
                if (coupon.getProductCategoryId().equals(item.getProductCategoryId())) {
                    categoryAmount = categoryAmount.add(realPrice(item).multiply(new BigDecimal(item.getQuantity())));
                }
            }
            return categoryAmount.compareTo(BigDecimal.ZERO) > 0 && categoryAmount.compareTo(minPoint) >= 0;
        } else if (useType.equals(2)) {
            // 2 -> one product: only items of that product count
            BigDecimal productAmount = BigDecimal.ZERO;
            for (CartPromotionItem item : cartItemList) {
                if (coupon.getProductId().equals(item.getProductId())) {
                    productAmount = productAmount.add(realPrice(item).multiply(new BigDecimal(item.getQuantity())));
                }
            }
            return productAmount.compareTo(BigDecimal.ZERO) > 0 && productAmount.compareTo(minPoint) >= 0;
        }
        return false;
    }

    private BigDecimal calcTotalAmount(List<CartPromotionItem> cartItemList) {
        BigDecimal total = BigDecimal.ZERO;
        for (CartPromotionItem item : cartItemList) {
            total = total.add(realPrice(item).multiply(new BigDecimal(item.getQuantity())));
        }
        return total;
    }

    private BigDecimal realPrice(CartPromotionItem item) {
        BigDecimal reduce = item.getReduceAmount() == null ? BigDecimal.ZERO : item.getReduceAmount();
        return item.getPrice().subtract(reduce);
    }

    @Override
    public void updateCouponStatus(Long couponId, Long memberId, Integer useStatus) {
        if (couponId == null) {
            return;
        }
        // when restoring (useStatus 0) look for a used coupon, when using look for an unused one
        MktCouponHistory history = couponHistoryMapper.selectByMemberIdAndCouponId(memberId, couponId);
        if (history == null) {
            return;
        }
        int expected = useStatus == 0 ? 1 : 0;
        if (history.getUseStatus() != expected) {
            return;
        }
        history.setUseStatus(useStatus);
        history.setUseTime(useStatus == 1 ? new Date() : null);
        couponHistoryMapper.updateByPrimaryKeySelective(history);
    }
}
