package io.acdp.shop.portal.page;

import io.acdp.shop.portal.service.OrdRefundService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * 退款页面：MVC 控制器，返回模板视图而不是 JSON。
 */
@Controller
@RequestMapping("/refund")
public class OrdRefundPageController {
    @Autowired
    private OrdRefundService refundService;

    @GetMapping("/list")
    public String list(Model model) {
        model.addAttribute("refunds", refundService.listAll());
        return "refund/list";
    }

    @PostMapping("/{id}/approve")
    public ModelAndView approve(@PathVariable Long id) {
        refundService.approve(id);
        return new ModelAndView("redirect:/refund/list");
    }
}
