//! The words of the co-op operator's command line (`warm-hub`), in zh-CN and English: the language
//! is the hub config's `language`, else `LANG`.

messages! { HubMsg {
    UsingDatabase: "合作社总台数据库：{path}", "hub database: {path}";
    CreatedDatabase: "已新建合作社总台数据库：{path}", "created a new hub database: {path}";
    NoDatabase: "{path} 没有合作社总台数据库。请用 --data 目录（或配置文件里的 data_dir）指明它在哪里，或在这里运行一次 `warm-hub serve` 新建一个",
        "there is no hub database at {path}: name its folder with --data DIR (or data_dir in the config), or run `warm-hub serve` once to create one here";
    ConfigUsed: "配置文件：{path}", "config: {path}";
    ConfigDefaults: "没有配置文件（config/hub.toml），使用内置默认值", "no config file (config/hub.toml): built-in defaults";
    KioskHint: "各终端 [sync] 里的 hub_url 请填：{url}", "kiosks put this in their [sync] hub_url: {url}";
    KioskHintAny: "各终端 [sync] 里的 hub_url 请填本机在市集网络上的地址，例如 {url}；请在防火墙上打开 TCP 端口 {port}",
        "kiosks put this machine's address on the market's network in their [sync] hub_url, e.g. {url}; open TCP port {port} in the firewall";
    TrialPlain: "不加密的试用：只有本机能连接。要给市集的终端用，请在配置的 [tls] 里给出证书和私钥",
        "plain HTTP trial: only this machine can connect. For the market's kiosks, give a certificate and key in the config's [tls]";
    PlainOnlyLoopback: "不加密的 HTTP 只能在本机回环地址上运行（{addr} 不是）：请在配置的 [tls] 里给出证书和私钥，或监听 127.0.0.1",
        "plain HTTP is served on loopback only ({addr} is not): give a certificate and key in the config's [tls], or listen on 127.0.0.1";
    BadTerminalId: "终端编号 {id} 只能用字母、数字和 '-'", "terminal id {id}: use letters, digits and '-' only";
    TerminalAdded: "终端 {id} 已登记到市集 {market}；请把上面的令牌填进它的 [sync] token（只显示这一次）",
        "terminal {id} registered for market {market}; put the token above in its [sync] token (shown only once)";
    TerminalRevoked: "终端 {id} 的令牌已作废：它下次同步会被拒绝（401）。要发新令牌：`warm-hub terminal rotate {id}`",
        "terminal {id}'s token is revoked: its next sync is refused (401). To give it a new one: `warm-hub terminal rotate {id}`";
    TerminalRotated: "终端 {id} 的新令牌在上面（只显示这一次）；旧令牌已作废", "terminal {id}'s new token is above (shown only once); the old one no longer works";
    NoTerminals: "还没有登记终端：`warm-hub terminal add 编号 --market 市集`", "no terminals registered: `warm-hub terminal add ID --market MARKET`";
    TerminalLine: "{id}  市集 {market}  已收到 {acked} 条  最后同步 {last}  {state}", "{id}  market {market}  received {acked}  last sync {last}  {state}";
    Revoked: "令牌已作废", "token revoked";
    Active: "正常", "active";
    Never: "从未", "never";
    NoMarkets: "还没有市集：市集随第一台终端登记（`warm-hub terminal add 编号 --market 市集`）",
        "no markets yet: a market exists once a terminal is registered for it (`warm-hub terminal add ID --market MARKET`)";
    MarketLine: "{market}（{n} 台终端）", "{market} ({n} {n|terminal|terminals})";
    UnknownMarket: "没有叫 {market} 的市集。已有的市集：{known}", "there is no market {market}. Known markets: {known}";
    Imported: "已导入 {file}：{changed} 项有改动，{unchanged} 项未变，{withdrawn} 项下架，{pictures} 张新图片",
        "imported {file}: {changed} changed, {unchanged} unchanged, {withdrawn} withdrawn, {pictures} new pictures";
    PriceSet: "市集 {market}：{product} 现在 {price}", "market {market}: {product} now {price}";
    PriceFen: "{fen} 分", "{fen} fen";
    PriceDefault: "按合作社统一价", "the cooperative price";
    BadPrice: "价格 {value}：请写整数（单位：分，1 元 = 100 分），或 default", "price {value}: a whole number of fen (1 yuan = 100 fen), or `default`";
    LimitSet: "市集 {market}：{product} 每户每天限购 {limit}", "market {market}: {product} limit per household a day {limit}";
    LimitDefault: "按合作社统一限购", "as the cooperative sets it";
    BadLimit: "限购 {value}：请写整数，或 default", "limit {value}: a whole number, or `default`";
    Listed: "市集 {market}：{product} 上架", "market {market}: {product} listed";
    Withdrawn: "市集 {market}：{product} 下架", "market {market}: {product} withdrawn";
    BadAssortment: "{value}：请写 list（上架）或 withdraw（下架）", "{value}: say `list` or `withdraw`";
    PositionSet: "市集 {market}：{product} 排在本类第 {position} 位", "market {market}: {product} comes at place {position} in its category";
    PositionDefault: "市集 {market}：{product} 按近来销量排序", "market {market}: {product} is ordered by recent sales";
    BadPosition: "{value}：请写 1 到 9999 的位置，或 default（按销量）", "{value}: say a place from 1 to 9999, or `default` (by sales)";
    AlarmCleared: "警报 {id} 已清除", "alarm {id} cleared";
    NoAlarms: "没有警报", "no alarms";
    AlarmLine: "#{id}  {at}  终端 {terminal}  {kind}  {times} 次  {state}：{message}", "#{id}  {at}  terminal {terminal}  {kind}  {times}×  {state}: {message}";
    AlarmOpen: "未处理", "open";
    AlarmClosed: "已清除", "cleared";
    OperatorAdded: "管理员 {name}（{role}）已添加，在总台网页的 /login 登录", "operator {name} ({role}) added; they sign in at the hub's /login page";
    PasswordPrompt: "{name} 的密码（至少 {n} 个字符）：", "password for {name} (at least {n} characters): ";
    PasswordAgain: "再输一次：", "once more: ";
    PasswordsDiffer: "两次输入的密码不一样", "the two passwords differ";
    PasswordChanged: "管理员 {name} 的密码已更换，已登录的会话都已退出", "operator {name}'s password is changed; their sign-ins are ended";
    OperatorRemoved: "管理员 {name} 已删除", "operator {name} removed";
    NoOperators: "还没有管理员：`warm-hub operator add 名字`", "no operators yet: `warm-hub operator add NAME`";
    OperatorLine: "{name}  {role}  {state}", "{name}  {role}  {state}";
    RoleDesk: "合作社总台", "co-op desk";
    RoleReadOnly: "只读", "read-only";
    BadRole: "角色 {value}：请写 desk（合作社总台）或 read-only（只读）", "role {value}: say `desk` or `read-only`";
    LoginPaused: "登录暂停到 {until}", "sign-in paused until {until}";
    LoginOk: "可以登录", "may sign in";
    BackedUp: "已备份到 {file}（一个完整的数据库文件；恢复时把它改名为 hub.sqlite 放进数据目录）",
        "backed up to {file} (one complete database file; to restore, put it in the data folder as hub.sqlite)";
    BackupPostgres: "总台数据在 PostgreSQL（{database}）里：请用 pg_dump 备份", "the hub's data is in PostgreSQL ({database}): back it up with pg_dump";
    MigrateNeedsPostgres: "migrate 是把数据复制进 PostgreSQL：请在配置里写 database = \"postgres://…\"，或加 --database postgres://…",
        "migrate copies into PostgreSQL: set database = \"postgres://…\" in the config, or give --database postgres://…";
    Migrated: "已把 {file} 复制进 {database}：{terminals} 台终端（上传进度一致），{events} 条记录，{alarms} 条警报，{operators} 名管理员，{products} 个商品，{pictures} 张图片；数目已核对",
        "copied {file} into {database}: {terminals} {terminals|terminal|terminals} (high-water marks equal), {events} events, {alarms} alarms, {operators} operators, {products} products, {pictures} pictures; counts checked";
    Failed: "warm-hub 出错：{reason}", "warm-hub: {reason}";
}}
