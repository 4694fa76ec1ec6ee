//! What the kiosk says aloud: the sentences of each screen event, with their number words filled
//! in by the `speech` module. Written to be heard, not read: short clauses, commas for breath.

messages! { SpeechWords {
    // A product tapped: its name, its pack and its price.
    ProductTap: "{name}，{spec}，{price}", "{name}, {spec}, {price}";
    ProductTapNoSpec: "{name}，{price}", "{name}, {price}";
    // The basket after a change.
    BasketTotal: "购物篮里共{items}，合计{total}", "Your basket has {items}, total {total}";
    BasketNowEmpty: "购物篮空了", "Your basket is empty";
    ItemsOne: "一件", "one item";
    ItemsMany: "{n}件", "{n} items";
    // The review screen read on request: a heading, each line, then the total.
    ReviewIntro: "请核对您的订单", "Please check your order";
    ReviewLine: "{name}，{qty}，{amount}", "{name}, quantity {qty}, {amount}";
    ReviewTotal: "共{items}，合计{total}", "In all {items}, total {total}";
    // The done screen.
    DoneNumber: "下单成功。您的取货号是，{digits}。请于{slot}取货", "Order placed. Your pickup number is, {digits}. Please collect it {slot}";
    // The slot's day when it is not today.
    Tomorrow: "明天", "tomorrow";
    OnDate: "{month}月{day}日", "on {month} {day}";
    // Between two clock times.
    Between: "{from}到{to}", "between {from} and {to}";
    // The switch on the seniors' screens (beside a loudspeaker icon).
    ReadAloudOn: "朗读：开", "Voice: on";
    ReadAloudOff: "朗读：关", "Voice: off";
    // The measure word of a count when the catalog gives a product no unit.
    DefaultUnit: "份", "pack";
}}
