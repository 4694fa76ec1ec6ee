//! Every word a person sees or a printer prints, in zh-CN and English. Views and layouts name a
//! `Msg`; nothing user-visible is written as a literal anywhere else.

use crate::domain::scan::Rejection;
use crate::domain::{Lang, PickupSlot};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Anything a person reads, in both languages.
pub trait Words: Copy + std::fmt::Debug {
    fn text(self, lang: Lang) -> &'static str;
}

/// Declares one enum of messages with their zh-CN and English texts. Each area of the product
/// may keep its own enum in its own file beside this one (`Msg` is the seniors' screens, the
/// counter, the printer and the scanner); every enum is checked by the tests below. An area's
/// file is declared (`mod area; pub use area::AreaMsg;`) after this macro, which it then sees.
macro_rules! messages {
    ($name:ident { $($key:ident: $zh:literal, $en:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($key,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$key,)*];

            pub fn text(self, lang: $crate::domain::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$key, $crate::domain::Lang::Zh) => $zh, ($name::$key, $crate::domain::Lang::En) => $en,)*
                }
            }
        }

        impl $crate::i18n::Words for $name {
            fn text(self, lang: $crate::domain::Lang) -> &'static str {
                $name::text(self, lang)
            }
        }
    };
}

messages! { Msg {
    AppTitle: "暖心市集", "Warm Market";
    SwitchLanguage: "English", "中文";
    // 大字 on the seniors' screens: bigger text and buttons, fewer on a page.
    LargeTextOn: "大字：开", "Big text: on";
    LargeTextOff: "大字：关", "Big text: off";
    ChooseCategory: "请点选您要买的东西", "Tap what you would like to buy";
    MostBoughtToday: "今天大家常买的（点一下加入）", "Bought most today (tap to add)";
    DailyGoodsToday: "今日供应（点一下加入）", "Today's goods (tap to add)";
    Back: "← 返回", "← Back";
    PreviousPage: "上一页", "Previous";
    NextPage: "下一页", "Next";
    PageOf: "第 {page}/{pages} 页", "Page {page} of {pages}";
    Basket: "购物篮", "Basket";
    BasketEmpty: "购物篮是空的，点图片就能加入", "Your basket is empty. Tap a picture to add it.";
    ItemCount: "共 {n} 件", "{n} {n|item|items}";
    Total: "合计", "Total";
    PlaceOrder: "下单", "Place order";
    EmptyBasket: "清空", "Empty basket";
    ConfirmEmptyTitle: "要清空购物篮吗？", "Empty the basket?";
    ConfirmEmptyYes: "是，清空", "Yes, empty it";
    ConfirmEmptyNo: "不，保留", "No, keep it";
    InBasket: "已加入 {n}", "In basket: {n}";
    TapToAdd: "点一下加入", "Tap to add";
    Added: "已加入：{name}", "Added: {name}";
    ConfirmTitle: "请核对您的订单", "Please check your order";
    Confirm: "确认", "Confirm";
    Change: "← 返回修改", "← Change order";
    DoneTitle: "下单成功", "Order placed";
    YourNumber: "您的取货号", "Your pickup number";
    PickupAt: "请于 {slot} 取货", "Please collect: {slot}";
    TakeSlip: "请拿好取货单，到取货处付款取货", "Take your slip to the counter to pay and collect";
    BackHome: "回到首页", "Back to start";
    HomeInSeconds: "{s} 秒后自动回到首页", "Back to start by itself in {s} s";
    StillThere: "还在吗？", "Are you still there?";
    StillThereBody: "没人回答的话，购物篮将在 {s} 秒后清空", "If nobody answers, the basket will be emptied in {s} seconds";
    ImHere: "我还在", "I'm still here";
    StartOver: "清空重来", "Start over";
    BasketCleared: "刚才的购物篮已清空", "The previous basket was emptied";
    OrderFailed: "暂时无法下单，请找志愿者", "Cannot place the order right now. Please ask a volunteer.";
    BasketKept: "您的购物篮已保留", "Your basket has been kept.";
    PrintFailed: "取货单没有打印出来，请找志愿者", "Slip not printed: ask a volunteer.";
    PicturePlaceholder: "暂无图片", "No picture";
    Tomorrow: "明天", "Tomorrow";
    SlipPreview: "取货单", "Pickup slip";
    SlipTitle: "取货单", "PICKUP SLIP";
    SlipNumber: "取货号", "Pickup number";
    SlipSlot: "取货时间", "Pickup time";
    SlipOrdered: "下单时间", "Ordered";
    SlipTerminal: "终端", "Terminal";
    SlipItems: "共{n}件", "{n} {n|item|items}";
    SlipTotal: "合计", "TOTAL";
    SlipFooter: "请凭此单到取货处付款取货", "Show this slip at the counter to pay and collect";
    Reprint: "重印", "REPRINT";
    Unavailable: "（已下架）", "(no longer sold)";
    PrinterPaperOut: "打印机缺纸，请换纸", "Out of paper: load a new roll";
    PrinterCoverOpen: "打印机盖子开着，请盖好", "Printer cover open: close it";
    PrinterError: "打印机出错了，请关掉打印机再打开", "Printer error: switch it off and on";
    PrinterOffline: "打印机暂停了，请检查打印机", "Printer paused: check the printer";
    PrinterNoAnswer: "打印机没有响应，请检查电源和连接线", "Printer silent: check power, cable";
    PrinterNearEnd: "打印纸快用完了，请准备新纸卷", "Paper running low: have a new roll ready";
    TechnicalDetail: "系统细节（给技术人员）：{detail}", "System detail (for the technician): {detail}";
    NoScreen: "没有找到屏幕：请在图形桌面里启动 warm-kiosk（或设置 DISPLAY）。没有屏幕时，sync、printer 等命令照常可用。",
        "No screen found: start warm-kiosk from the graphical desktop (or set DISPLAY). Without a screen, the sync, printer and other commands still work.";
    PrinterWaiting: "还有 {n} 张单据等待打印", "{n} {n|slip|slips} waiting to print";
    PrinterOwned: "打印机正由运行中的终端使用：请看终端屏幕上的打印机状态", "The running kiosk is using the printer: its screen shows the printer's state";
    PrinterOwnedReprint: "打印机正由运行中的终端使用，它会在几秒内打印这张重印单", "The running kiosk is using the printer and prints this copy within seconds";
    PinPrompt: "请输入新密码（输入时不显示），再按回车：", "Type the new PIN (it is not shown), then Enter: ";
    PinHashWhere: "用下面这一行替换配置文件 [{table}] 下原来的 pin_hash 一行：",
        "Replace the pin_hash line under [{table}] in the configuration file with this line:";
    PrinterFile: "文件打印机（写入 {dir}）", "file printer (writes to {dir})";
    PrinterSerial: "串口打印机 {port}，{baud} 波特", "serial printer {port} at {baud} baud";
    PrinterNetwork: "网络打印机 {host}:{port}", "network printer {host}:{port}";
    PrinterReady: "打印机正常", "The printer is ready";
    TestPageSent: "测试页已发送：{bytes} 字节", "Test page sent: {bytes} bytes";
    TestPageWritten: "测试页写在：{path}", "The test page was written to {path}";
    ReprintQueued: "{number} 的重印已排队（任务 {job}）", "Reprint of {number} queued (job {job})";
    JobsPrinted: "已打印 {n} 张", "Printed {n} {n|job|jobs}";
    ReprintWaits: "暖心市集的窗口开着时，它就会打印；要现在打印，请加 --now。",
        "It prints while the kiosk's window runs; add --now to print it now.";
    ReceiptTitle: "收据", "RECEIPT";
    ReceiptNumber: "收据号", "Receipt no.";
    ReceiptOrder: "取货号", "Order";
    ReceiptPaidAt: "付款时间", "Paid";
    ReceiptPayment: "付款方式", "Payment";
    ReceiptTendered: "实收", "Tendered";
    ReceiptChange: "找零", "Change";
    ReceiptReference: "流水号", "Reference";
    ReceiptFooter: "谢谢惠顾，欢迎再来", "Thank you. See you again.";
    PayCash: "现金", "Cash";
    PayWechat: "微信支付", "WeChat Pay";
    PayAlipay: "支付宝", "Alipay";
    PayOnAccount: "记账", "On account";
    TestPageTitle: "打印机测试页", "PRINTER TEST PAGE";
    TestPageSize: "{n}倍字 暖心市集", "Size {n} Warm Market";
    TestPageRuler: "纸宽 {cols} 列 / {dots} 点", "Paper {cols} columns / {dots} dots";
    // Checkout (issue 4): the volunteer's counter, PIN, scanner, payment and receipt.
    Tendered: "收到现金", "Cash received";
    ChangeGiven: "找零", "Change";
    PaymentReference: "交易单号", "Reference";
    ReceiptThanks: "谢谢惠顾", "Thank you";
    CheckoutTitle: "收银台", "Checkout";
    VolunteerMode: "志愿者模式", "Volunteer mode";
    ExitVolunteer: "退出", "Exit";
    ScannerConnected: "扫码枪：已连接", "Scanner: connected";
    ScannerDisconnected: "扫码枪：未连接，{s} 秒后重试", "Scanner: NOT connected, retrying in {s} s";
    ScannerNone: "扫码枪：未设置串口，可用键盘式扫码枪", "Scanner: no serial port set; a keyboard scanner works";
    ScanHint: "请扫商品条码，或扫取货单上的二维码", "Scan goods, or the QR code on a pickup slip";
    NotFound: "未找到商品", "Product not found";
    CodeIs: "条码：{code}", "Code: {code}";
    PickByHand: "从图片中选", "Pick from pictures";
    ScanRejected: "✗ 无法识别", "✗ Not recognised";
    AddedScan: "✓ 已加入：{name}", "✓ Added: {name}";
    PickedScan: "✓ 已拣：{name}", "✓ Picked: {name}";
    LineFull: "{name} 已到上限", "{name} is at the limit";
    SlipLoaded: "已调出取货单 {number}", "Pickup slip {number} loaded";
    SlipAlreadyLoaded: "这张取货单已经调出，没有重复加入", "This slip is already loaded; nothing was added twice";
    SlipPaid: "取货单 {number} 已付过款", "Slip {number} is already paid";
    SlipCancelled: "取货单 {number} 已取消", "Slip {number} was cancelled";
    SlipUnknown: "没有找到这张取货单", "No order for this slip";
    SlipBusy: "请先收款或清空台面上的商品，再扫取货单", "Take payment or clear the counter before scanning a slip";
    RejectCheckDigit: "{kind} 校验位不对，请重扫", "{kind} check digit is wrong; scan again";
    RejectDigits: "{n} 位数字不是商品条码", "{n} digits is not a product code";
    RejectUnknown: "不是商品条码，也不是取货单", "Neither a product code nor a pickup slip";
    RejectBadSlip: "取货单二维码内容不对", "The pickup-slip QR code is damaged";
    RejectTooLong: "太长，不是条码", "Too long to be a code";
    RejectEmpty: "空的扫码", "Empty scan";
    LineTooLong: "太长了（{bytes} 字节，最多 {max} 字节）", "too long ({bytes} bytes, at most {max})";
    LineNul: "第 {at} 个字节是空字节", "a NUL byte at byte {at}";
    LineNotText: "不是文字（第 {at} 个字节起）", "not text (from byte {at})";
    LineControl: "第 {at} 个字节是控制字符 {byte}", "control character {byte} at byte {at}";
    RejectUnreadable: "扫码枪发来的不是条码：{reason}", "The scanner sent something that is not a code: {reason}";
    WeighedUnknown: "秤码 {item} 没有对应的商品", "Scale item {item} is not in the list";
    Grams: "{g}克", "{g} g";
    Picked: "✓ 已拣", "✓ Picked";
    NotPicked: "未拣", "Not picked";
    Remove: "删除", "Remove";
    PickAll: "全部已拣", "All picked";
    StillToPick: "还有 {n} 件未拣", "{n} {n|item|items} still to pick";
    Pay: "收款", "Take payment";
    ClearCounter: "清空", "Clear";
    CounterEmpty: "台面上还没有商品", "Nothing on the counter yet";
    ChooseMethod: "请选择付款方式", "Choose how the customer pays";
    NothingToPay: "台面上还没有商品，先扫码", "Nothing on the counter to pay for: scan goods first";
    ReferenceMissing: "请先输入交易单号", "Type the payment reference first";
    AccountMissing: "请先输入记账的楼号/户号", "Type the building / household to bill first";
    ConfirmRemoveTitle: "把 {name} 从购物篮拿掉？", "Take {name} out of the basket?";
    ConfirmRemoveNo: "留着", "Keep it";
    ConfirmRemoveYes: "拿掉", "Take it out";
    ClearQuestion: "清空这一单？", "Clear this sale?";
    ClearYes: "是，清空", "Yes, clear it";
    ClearNo: "不，保留", "No, keep it";
    PinFirst: "请先输入密码", "Type the PIN first";
    EnterTendered: "收到现金（元）：", "Cash received (yuan):";
    ChangeDue: "找零", "Change";
    NotEnoughCash: "现金不够", "Not enough cash";
    EnterReference: "交易单号（看顾客手机）：", "Reference (on the customer's phone):";
    EnterAccount: "记账的楼号/户号：", "Building / household to bill:";
    ConfirmPayment: "确认收款", "Confirm payment";
    ConfirmOnAccount: "确认记账", "Put on account";
    OnAccountTitle: "已记账", "Put on account";
    BilledTo: "记在：{account}", "Billed to: {account}";
    AmountDue: "应收（{method}）", "Due ({method})";
    Cancel: "取消", "Cancel";
    PaidTitle: "收款成功", "Payment recorded";
    ReceiptPrinted: "收据已打印", "Receipt printed";
    ReceiptNotPrinted: "收据没有打印出来：{reason}", "The receipt did not print: {reason}";
    PaymentFailed: "收款没有记录：{reason}", "Payment NOT recorded: {reason}";
    AlreadyPaid: "此订单已付款，不能重复付款", "This order is already paid; it cannot be paid twice";
    NextCustomer: "下一位", "Next customer";
    EnterPin: "志愿者请输入密码", "Volunteer: enter your PIN";
    PinWrong: "密码不对，还可以试 {n} 次", "Wrong PIN; {n} {n|try|tries} left";
    PinPaused: "错误次数太多，请 {s} 秒后再试", "Too many wrong tries; wait {s} seconds";
    Ok: "确定", "OK";
    Backspace: "退格", "Erase";
    ClearEntry: "清除", "Clear";
}}

mod households;
mod hub;
mod leader;
mod manager;
mod speech;
mod sync;
mod upkeep;
pub use households::{
    HouseholdWords, allowance_line, counted, limit_explained, over_limit, period_words, tile_limit_words,
};
pub use hub::HubMsg;
pub use leader::LeaderWords;
pub use manager::ManagerMsg;
pub use speech::SpeechWords;
pub use sync::SyncWords;
pub use upkeep::UpkeepWords;

/// Fills `{name}` placeholders of a message, and `{name|one|other}` with the word for that count
/// (English says "1 item", "2 items"; Chinese needs no such form).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_owned(), |text, (name, value)| {
        plural(&text.replace(&format!("{{{name}}}"), value), name, *value == "1")
    })
}

/// Replaces every `{name|one|other}` in `text` by `one` or `other`.
fn plural(text: &str, name: &str, one: bool) -> String {
    let open = format!("{{{name}|");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let Some(end) = after.find('}') else { break };
        let (singular, other) = after[..end].split_once('|').unwrap_or((&after[..end], &after[..end]));
        out.push_str(&rest[..at]);
        out.push_str(if one { singular } else { other });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A message with its placeholders filled.
pub fn tr(msg: impl Words, lang: Lang, args: &[(&str, &str)]) -> String {
    fill(msg.text(lang), args)
}

/// A slot as a senior reads it in local time: `10:30–11:00`, `明天 08:00–08:30`, or with the
/// date when it is further away.
pub fn slot_range(slot: &PickupSlot, now: Timestamp, tz: &TimeZone, lang: Lang) -> String {
    let start = slot.start.to_zoned(tz.clone());
    let end = slot.end.to_zoned(tz.clone());
    let hours = format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M"));
    let today = now.to_zoned(tz.clone()).date();
    let days = (start.date() - today).get_days();
    match (days, lang) {
        (0, _) => hours,
        (1, _) => format!("{} {hours}", Msg::Tomorrow.text(lang)),
        (_, Lang::Zh) => format!("{}月{}日 {hours}", start.month(), start.day()),
        (_, Lang::En) => format!("{} {hours}", start.strftime("%-d %b")),
    }
}

/// Why a code was rejected, in words.
pub fn rejection(reason: Rejection, lang: Lang) -> String {
    match reason {
        Rejection::Empty => Msg::RejectEmpty.text(lang).to_owned(),
        Rejection::TooLong => Msg::RejectTooLong.text(lang).to_owned(),
        Rejection::CheckDigit(kind) => tr(Msg::RejectCheckDigit, lang, &[("kind", kind.name())]),
        Rejection::DigitCount(n) => tr(Msg::RejectDigits, lang, &[("n", &n.to_string())]),
        Rejection::BadSlip => Msg::RejectBadSlip.text(lang).to_owned(),
        Rejection::Unknown => Msg::RejectUnknown.text(lang).to_owned(),
    }
}

/// A moment in local time, e.g. `2022-05-06 10:21`.
pub fn local_time(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_counts_have_their_plural() {
        assert_eq!(tr(Msg::ItemCount, Lang::En, &[("n", "1")]), "1 item");
        assert_eq!(tr(Msg::ItemCount, Lang::En, &[("n", "2")]), "2 items");
        assert_eq!(tr(Msg::ItemCount, Lang::Zh, &[("n", "1")]), "共 1 件");
        assert_eq!(tr(Msg::PinWrong, Lang::En, &[("n", "1")]), "Wrong PIN; 1 try left");
        assert_eq!(fill("{a|x|y} {b|p|q}", &[("a", "1"), ("b", "0")]), "x q");
        assert_eq!(fill("{a|broken", &[("a", "1")]), "{a|broken", "an unclosed form stays as written");
    }

    use super::*;

    /// Every message of every area: an area's new enum adds its line here.
    fn all_words() -> Vec<(String, &'static str, &'static str)> {
        fn of<W: Words>(all: &[W]) -> impl Iterator<Item = (String, &'static str, &'static str)> + '_ {
            all.iter().map(|m| (format!("{m:?}"), m.text(Lang::Zh), m.text(Lang::En)))
        }
        of(Msg::ALL)
            .chain(of(HubMsg::ALL))
            .chain(of(SyncWords::ALL))
            .chain(of(SpeechWords::ALL))
            .chain(of(HouseholdWords::ALL))
            .chain(of(ManagerMsg::ALL))
            .chain(of(UpkeepWords::ALL))
            .chain(of(LeaderWords::ALL))
            .collect()
    }

    #[test]
    fn every_message_has_both_languages_and_matching_placeholders() {
        for (name, zh, en) in all_words() {
            assert!(!zh.is_empty() && !en.is_empty(), "{name}");
            // The names filled in, whether as `{n}` or in a plural form `{n|item|items}`.
            let holes = |s: &str| {
                s.split('{')
                    .skip(1)
                    .map(|h| h.split(['|', '}']).next().unwrap_or("").to_owned())
                    .collect::<std::collections::BTreeSet<_>>()
            };
            assert_eq!(holes(zh), holes(en), "{name} placeholders differ");
        }
    }

    #[test]
    fn slots_read_in_shanghai_time() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let ts = |s: &str| s.parse::<jiff::civil::DateTime>().unwrap().to_zoned(tz.clone()).unwrap().timestamp();
        let slot = PickupSlot { start: ts("2022-05-06T10:30"), end: ts("2022-05-06T11:00") };
        assert_eq!(slot_range(&slot, ts("2022-05-06T10:10"), &tz, Lang::Zh), "10:30–11:00");
        assert_eq!(slot_range(&slot, ts("2022-05-05T17:10"), &tz, Lang::Zh), "明天 10:30–11:00");
        assert_eq!(slot_range(&slot, ts("2022-05-01T17:10"), &tz, Lang::Zh), "5月6日 10:30–11:00");
        assert_eq!(slot_range(&slot, ts("2022-05-01T17:10"), &tz, Lang::En), "6 May 10:30–11:00");
        assert_eq!(tr(Msg::PickupAt, Lang::Zh, &[("slot", "10:30–11:00")]), "请于 10:30–11:00 取货");
    }
}
