//! Building leaders (楼长, issue 10): the leader's screens, the daily list sheet, the household
//! slips and the packers' picking list, and the counter's recall of a building. Whole sentences;
//! English counts take their plural.

messages! { LeaderWords {
    Open: "楼长代订", "Building leader";
    Title: "楼长代订", "Building leader orders";
    EnterPin: "请输入楼长密码", "Enter the building leader's PIN";
    Leave: "退出", "Leave";
    ChooseBuilding: "请按楼号", "Tap the building number";
    BuildingIs: "{building} 号楼", "Building {building}";
    StartBuilding: "开始这栋楼", "Start this building";
    TypeBuilding: "请先按楼号", "Tap a building number first";
    BuildingUnknown: "{building} 号楼没有住户名单：请核对楼号，或请中心导入住户", "No homes listed for building {building}: check the number, or ask the hub to import the homes";
    NoDailyList: "今天还没有货品清单：请等中心发布，或请管理员用 warm-hub daily-list set", "There is no daily goods list yet: wait for the hub to publish one (warm-hub daily-list set)";
    HouseholdOf: "第 {i}/{n} 户", "Home {i} of {n}";
    HouseholdTotal: "本户合计", "This home";
    BuildingTotal: "全楼合计（{n} 户）", "Whole building ({n} {n|home|homes})";
    Previous: "← 上一户", "← Previous home";
    Next: "下一户 →", "Next home →";
    Finish: "完成，下单打印", "Finish and print";
    ChangeBuilding: "换一栋楼", "Another building";
    LimitShort: "限购 {limit}，本户还可 {left}", "Limit {limit}, {left} more for this home";
    AvailableShort: "今日剩 {n}", "{n} left today";
    AvailableToday: "今日共 {n} {unit}", "{n} {unit} today";
    AvailableLeft: "今日还剩 {n} {unit}，不能再加了", "Only {n} {unit} today: no more can be added";
    FinishQuestion: "为 {n} 户下单？全楼共", "Place orders for {n} {n|home|homes}? In all";
    FinishYes: "是，下单", "Yes, place them";
    FinishNo: "不，再看看", "No, go back";
    NothingChosen: "还没有给任何一户选货", "Nothing is chosen for any home yet";
    Placing: "正在下单……", "Placing the orders…";
    Placed: "已为 {building} 号楼 {n} 户下单，取货单和拣货单正在打印", "Ordered for {n} {n|home|homes} of building {building}; the slips and the picking list are printing";
    Failed: "没有下单成功（{reason}），什么都没有保存，请再试", "The orders were not placed ({reason}); nothing was saved, try again";
    OverLimit: "住户 {household} 的 {product} 超出限购 {over} {unit}，请减去", "Home {household} is {over} {unit} over the limit of {product}: please take some out";
    PrintSheet: "打印货品清单", "Print the daily list";
    SheetQueued: "货品清单已送去打印", "The daily list is printing";
    SheetTitle: "每日货品清单", "Daily goods list";
    SheetDate: "日期：{date}", "Date: {date}";
    SheetHint: "请在每户格子里写数量，交给楼长", "Write each home's number in a box and give it to the building leader";
    SheetRooms: "房号", "Room";
    SheetLimit: "限购：每户{period} {limit} {unit}", "Limit: {limit} {unit} per home {period}";
    SheetNone: "今天没有货品清单", "No daily list today";
    SlipRoom: "房号", "Room";
    SlipBuilding: "{building} 号楼 楼长代订", "Building {building}, ordered by the building leader";
    PayAtPickup: "取货时付款", "Pay at pickup";
    PickingTitle: "{building} 号楼 拣货单", "Picking list, building {building}";
    PickingHouseholds: "共 {n} 户", "{n} {n|home|homes}";
    PickingProducts: "按货品合计", "Totals per product";
    PickingScan: "收银台扫此码，调出本楼所有订单", "Scan at the counter to recall every order of this building";
    BatchTitle: "{building} 号楼：{n} 户", "Building {building}: {n} {n|home|homes}";
    BatchUnknown: "这张拣货单不是这台机器打印的，找不到订单", "This picking list was not printed at this kiosk: no orders found";
    TakeHousehold: "收这一户", "Take this home";
    HouseholdPaid: "已付", "Paid";
    HouseholdWaiting: "待付", "To pay";
    HouseholdCancelled: "已取消", "Cancelled";
    BackToScan: "返回扫码", "Back to scanning";
}}
