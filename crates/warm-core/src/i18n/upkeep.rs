//! Keeping a kiosk going without IT staff (issue 14): backups and their restore, the self-check
//! (`warm-kiosk doctor`, one line a check), a disk filling up, and the way out of kiosk mode.
//! Read by a volunteer or the site manager: what is wrong and what to do, in words.

messages! { UpkeepWords {
    // Backups and restore.
    BackupDone: "已备份到 {path}（{n} 笔订单）", "Backed up to {path} ({n} {n|order|orders})";
    BackupPruned: "删除了 {n} 个超过 {days} 天的旧备份", "Removed {n} {n|backup|backups} older than {days} days";
    BackupFailed: "备份没有成功：{reason}", "The backup failed: {reason}";
    BackupNoStore: "还没有订单数据库可以备份（{path}）", "There is no order store to back up yet ({path})";
    BackupFolder: "备份文件夹 {path} 无法写入（U 盘插好了吗？）", "The backup folder {path} cannot be written (is the USB stick in?)";
    CopyMissing: "找不到备份文件 {path}", "The backup file {path} does not exist";
    CopyNotAStore: "{path} 不是暖心市集的订单备份", "{path} is not a Warm Market order backup";
    CopyDamaged: "备份文件 {path} 已损坏，不能恢复：{reason}", "The backup file {path} is damaged and cannot be restored: {reason}";
    CopyTooNew: "备份 {path} 来自更新版本的程序（数据版本 {found}，本程序只认识到 {known}），请先升级程序", "The backup {path} comes from a newer version of this program (schema {found}, this one knows up to {known}): upgrade the program first";
    RestoreWhileRunning: "收银机程序还在运行（{what}），请先关闭它再恢复", "The kiosk is still running ({what}): close it before restoring";
    RestoreDone: "已从 {path} 恢复（{n} 笔订单）；原来的数据另存为 {aside}", "Restored from {path} ({n} {n|order|orders}); the replaced store is kept as {aside}";
    RestoreSyncNote: "下次联网时，合作社会核对恢复前已送达的订单，不会重复记账", "At the next sync the co-op checks which orders it already has: none is counted twice";
    RestoreAlreadyPrinted: "备份之后已打印的 {n} 张单据不会再打印", "{n} {n|slip|slips} printed after the copy was taken will not print again";
    RestoreFailed: "恢复没有成功，原来的数据已放回：{reason}", "The restore failed and the previous store is back in place: {reason}";
    KioskRunning: "这台收银机已经在运行（{path} 被占用）", "This kiosk is already running ({path} is held)";
    // The self-check: one line a check, "✓" when fine, "✗" when a person is needed.
    DoctorOk: "✓ {what}：{detail}", "✓ {what}: {detail}";
    DoctorProblem: "✗ {what}：{detail}", "✗ {what}: {detail}";
    DoctorAllGood: "一切正常", "Everything is fine";
    DoctorNeedsPerson: "{n} 项需要处理", "{n} {n|thing needs|things need} a person";
    CheckConfig: "配置文件", "Configuration";
    CheckDataFolder: "数据文件夹", "Data folder";
    CheckDisk: "磁盘空间", "Free space";
    CheckStore: "订单数据库", "Order store";
    CheckClock: "时钟", "Clock";
    CheckFonts: "中文字体", "Fonts";
    CheckPrinter: "打印机", "Printer";
    CheckScanner: "扫码枪", "Scanner";
    CheckHub: "合作社连接", "Co-op hub";
    CheckPrintQueue: "打印队列", "Print queue";
    CheckOutbox: "待上传", "Waiting to send";
    CheckBackup: "备份", "Backups";
    ConfigFine: "{path} 可以使用", "{path} is fine";
    ConfigDefaults: "没有配置文件，使用内置默认设置", "No configuration file: the built-in defaults are used";
    ConfigBroken: "{path} 有错：{reason}", "{path} is wrong: {reason}";
    DataFolderFine: "{path} 可以写入", "{path} can be written";
    DataFolderBroken: "{path} 无法写入：{reason}", "{path} cannot be written: {reason}";
    DiskFine: "还剩 {free} MB", "{free} MB free";
    DiskLow: "只剩 {free} MB（低于 {min} MB），请清理或换更大的磁盘", "Only {free} MB free (below {min} MB): make room or use a larger disk";
    DiskUnknown: "无法读取剩余空间：{reason}", "Free space cannot be read: {reason}";
    StoreFine: "完好（{n} 笔订单）", "Sound ({n} {n|order|orders})";
    StoreNew: "还没有数据库，第一次启动时会建立", "No store yet: the first start makes one";
    StoreBroken: "{path} 有问题：{reason}；请用 warm-kiosk restore 恢复最近的备份", "{path} has a problem: {reason}; restore the latest backup with warm-kiosk restore";
    ClockFine: "{time}（{zone}）", "{time} ({zone})";
    ClockUnset: "时钟没有设置（显示 {time}），取货时间会出错：请联网或手动设置时间", "The clock is not set (it says {time}): pickup slots will be wrong; connect to the network or set the time";
    FontsFine: "内置字体可用", "The bundled fonts load";
    FontsBroken: "内置字体无法读取：{reason}", "The bundled fonts cannot be read: {reason}";
    PrinterFileOnly: "未接打印机，取货单写入文件 {path}", "No printer: slips are written to files in {path}";
    PrinterInUse: "收银机正在使用打印机", "The kiosk is using the printer";
    PrinterReady: "{target}：打印机正常", "{target}: the printer is ready";
    PrinterTrouble: "{target}：{problem}", "{target}: {problem}";
    PortMissing: "{port} 不存在：线插好了吗？", "{port} does not exist: is the cable plugged in?";
    PortBroken: "{port} 打不开：{reason}", "{port} cannot be opened: {reason}";
    ScannerNone: "没有配置扫码枪（键盘式扫码枪仍可用）", "No scanner configured (a keyboard-wedge scanner still works)";
    ScannerFine: "{port} 可以打开", "{port} opens";
    ScannerInUse: "收银机正在读取 {port}", "The kiosk is reading {port}";
    HubNone: "没有配置合作社，单机使用", "No hub configured: stand-alone";
    HubFine: "{url} 可以连接，令牌有效", "{url} answers and accepts the token";
    HubFineTls: "{url} 可以连接，证书可信，令牌有效", "{url} answers, its certificate is trusted and it accepts the token";
    HubOffline: "连接不上 {url}：合作社的电脑开着吗？地址对吗？（{reason}）", "Cannot reach {url}: is the co-op's hub running and the address right? ({reason})";
    HubTokenRefused: "{url} 不接受这台收银机的令牌：请核对 [sync] token，或向云小二要新令牌（{reason}）", "{url} refuses this kiosk's token: check [sync] token or ask the co-op for a new one ({reason})";
    HubUntrusted: "{url} 的证书不可信：请核对 [sync] ca_file（{reason}）", "{url} shows a certificate this kiosk does not trust: check [sync] ca_file ({reason})";
    HubProblem: "{url}：{reason}", "{url}: {reason}";
    QueueFine: "没有等待打印的单子", "Nothing waiting to print";
    QueueWaiting: "{n} 张单子等待打印，最早的是 {since} 的：请看打印机", "{n} {n|slip|slips} waiting to print since {since}: look at the printer";
    QueuePrinting: "{n} 张单子正在打印", "{n} {n|slip|slips} being printed";
    QueueForKiosk: "{n} 张单子等收银机启动后打印", "{n} {n|slip|slips} will print when the kiosk starts";
    OutboxFine: "所有记录都已送达合作社", "Everything has reached the co-op";
    OutboxWaiting: "{n} 条记录待上传", "{n} {n|record|records} waiting to send";
    OutboxOld: "{n} 条记录待上传，最早的是 {since} 的", "{n} {n|record|records} waiting to send, the oldest from {since}";
    BackupFine: "最近一次：{time}", "Latest: {time}";
    BackupNone: "还没有备份（{path}）", "No backup yet ({path})";
    BackupOld: "最近一次备份是 {time}，已超过两天", "The latest backup is from {time}, more than two days ago";
    // On the volunteer's and the manager's screens.
    DiskLowBanner: "磁盘快满了：只剩 {free} MB，请告诉管理员", "The disk is nearly full: {free} MB left. Tell the manager.";
    Quit: "关闭收银机", "Close kiosk";
    Checking: "正在检查，最多十几秒……", "Checking (a few seconds)…";
    SelfCheck: "自检", "Self-check";
}}
