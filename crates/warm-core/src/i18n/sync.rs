//! The sync corner's words (issue 16): how the link to the co-op's hub is doing, what waits to be
//! sent, and when orders last reached the hub. Said in words a volunteer can act on: "网络不稳"
//! when some requests fail but work gets through, "未联网" only when nothing does.

messages! { SyncWords {
    Standalone: "单机使用", "Stand-alone";
    KeptHere: "订单保存在本机", "Orders are kept on this terminal";
    Connecting: "… 正在连接合作社", "… Connecting to the co-op";
    Online: "● 已联网", "● Online";
    Unstable: "◐ 网络不稳", "◐ Network unstable";
    Offline: "○ 未联网", "○ Offline";
    Refused: "！合作社拒收，请联系云小二", "! Refused: call the co-op";
    Untrusted: "！合作社证书不可信，请联系云小二", "! Hub certificate not trusted: call the co-op";
    AllDelivered: "订单都已送达", "All orders sent";
    OneOrderWaiting: "1 笔订单待送达", "1 order to send";
    OrdersWaiting: "{n} 笔订单待送达", "{n} orders to send";
    OneRecordWaiting: "1 条记录待上传", "1 record to send";
    RecordsWaiting: "{n} 条记录待上传", "{n} records to send";
    Delivered: "订单已送达 {time}", "Orders sent {time}";
    LastDelivered: "上次送达 {time}", "Last sent {time}";
    NeverDelivered: "尚无订单送达", "No orders sent yet";
    CatalogChanged: "目录更新 {time}", "Catalog updated {time}";
}}
