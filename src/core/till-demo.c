/* till-demo.c: a realistic Chinese convenience store for the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-demo"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-barcode.h"
#include "till-catalog.h"
#include "till-demo.h"
#include "till-journal.h"
#include "till-local-tenders.h"
#include "till-member.h"
#include "till-money.h"
#include "till-promotion.h"
#include "till-store.h"
#include "till-tender-registry.h"
#include "till-user.h"

typedef struct
{
  const char *category; /* path in demo_categories */
  const char *brand;
  const char *bases; /* '|'-separated; "base*130" = 130 % of the spec price */
  const char *specs; /* '|'-separated "label:price in fen[@unit]" */
  const char *unit;
  int         vat_rate; /* basis points */
} DemoLine;

typedef struct
{
  const char *category;
  const char *items; /* '|'-separated "name:price per kg in fen" */
} DemoFresh;

/* The category tree, parents before children, each with the code promotions
 * and HQ know it by: ASCII, stable, the parent's code as its prefix. */
static const struct
{
  const char *path;
  const char *code;
} demo_categories[] = {
  { "饮料", "DRINK" },
  { "饮料/碳酸饮料", "DRINK-SODA" },
  { "饮料/果汁", "DRINK-JUICE" },
  { "饮料/饮用水", "DRINK-WATER" },
  { "饮料/茶饮料", "DRINK-TEA" },
  { "饮料/咖啡", "DRINK-COFFEE" },
  { "乳制品", "DAIRY" },
  { "零食", "SNACK" },
  { "零食/膨化食品", "SNACK-PUFFED" },
  { "零食/饼干糕点", "SNACK-BAKERY" },
  { "零食/糖果巧克力", "SNACK-SWEETS" },
  { "零食/坚果炒货", "SNACK-NUTS" },
  { "方便速食", "INSTANT" },
  { "酒类", "ALCOHOL" },
  { "酒类/啤酒", "ALCOHOL-BEER" },
  { "酒类/白酒", "ALCOHOL-BAIJIU" },
  { "粮油调味", "PANTRY" },
  { "日用百货", "HOUSEHOLD" },
  { "日用百货/纸品", "HOUSEHOLD-PAPER" },
  { "日用百货/个人洗护", "HOUSEHOLD-CARE" },
  { "日用百货/家居清洁", "HOUSEHOLD-CLEANING" },
  { "生鲜", "FRESH" },
  { "生鲜/水果", "FRESH-FRUIT" },
  { "生鲜/蔬菜", "FRESH-VEG" },
  { "生鲜/肉禽蛋", "FRESH-MEAT-EGGS" },
};

/* The demo's catalog: each line is one brand's range in one category. A product
 * is a base × a spec; "base*130" prices that base at 130 % of the spec price. */
static const DemoLine demo_lines[] = {
  /* 饮料/碳酸饮料 */
  { "饮料/碳酸饮料", "可口可乐", "可口可乐|可口可乐 零度",
    "330ml罐装:250|500ml:300|888ml:450|1.25L:550|2L:750", "瓶", 1300 },
  { "饮料/碳酸饮料", "雪碧", "雪碧|雪碧 零卡", "330ml罐装:250|500ml:300|888ml:450|1.25L:550|2L:750",
    "瓶", 1300 },
  { "饮料/碳酸饮料", "芬达", "芬达 橙味|芬达 葡萄味|芬达 苹果味",
    "330ml罐装:250|500ml:300|1.25L:550", "瓶", 1300 },
  { "饮料/碳酸饮料", "百事", "百事可乐|百事可乐 无糖|百事可乐 太汽系列 白桃乌龙味*110",
    "330ml罐装:250|500ml:300|1L:450|2L:700", "瓶", 1300 },
  { "饮料/碳酸饮料", "美年达", "美年达 橙味|美年达 青苹果味|美年达 西瓜味",
    "330ml罐装:250|500ml:300", "瓶", 1300 },
  { "饮料/碳酸饮料", "元气森林",
    "元气森林 白桃味苏打气泡水|元气森林 青瓜味苏打气泡水|元气森林 卡曼橘味苏打气泡水|元气森林 "
    "可乐味苏打气泡水|元气森林 外星人电解质水*110",
    "480ml:550|330ml罐装:450", "瓶", 1300 },
  { "饮料/碳酸饮料", "屈臣氏", "屈臣氏 苏打汽水|屈臣氏 干姜水|屈臣氏 汤力水", "330ml罐装:400", "罐",
    1300 },
  { "饮料/碳酸饮料", "北冰洋", "北冰洋 桔汁汽水|北冰洋 山楂汁汽水", "248ml:400|330ml罐装:500", "瓶",
    1300 },
  { "饮料/碳酸饮料", "健力宝", "健力宝 橙蜜味运动饮料|健力宝 纤维+ 无糖", "330ml罐装:350|560ml:450",
    "瓶", 1300 },
  /* 饮料/果汁 */
  { "饮料/果汁", "汇源",
    "汇源 100%橙汁|汇源 100%苹果汁|汇源 100%桃汁|汇源 100%葡萄汁|汇源 100%番茄汁",
    "200ml:350|1L:1290|2L:2290", "盒", 1300 },
  { "饮料/果汁", "美汁源", "美汁源 果粒橙|美汁源 爽粒葡萄|美汁源 热带果粒",
    "420ml:400|1.25L:800|1.8L:1090", "瓶", 1300 },
  { "饮料/果汁", "农夫山泉",
    "农夫山泉 农夫果园 30%混合果蔬汁|农夫山泉 NFC橙汁*180|农夫山泉 17.5°橙汁*150",
    "300ml:450|500ml:550|900ml:990", "瓶", 1300 },
  { "饮料/果汁", "味全", "味全 每日C 橙汁|味全 每日C 葡萄汁|味全 每日C 芒果汁",
    "300ml:650|900ml:1390", "瓶", 1300 },
  { "饮料/果汁", "椰树", "椰树 椰汁", "245ml罐装:450|1L:1190", "瓶", 1300 },
  { "饮料/果汁", "露露", "露露 杏仁露", "240ml罐装:450", "罐", 1300 },
  { "饮料/果汁", "六个核桃", "六个核桃 核桃乳", "240ml罐装:450|240ml×12罐:5290", "罐", 1300 },
  /* 饮料/饮用水 */
  { "饮料/饮用水", "农夫山泉",
    "农夫山泉 饮用天然水|农夫山泉 长白雪天然雪山矿泉水*180|农夫山泉 运动盖天然水*150",
    "380ml:150|550ml:200|1.5L:450|4L:850|5L:1000", "瓶", 1300 },
  { "饮料/饮用水", "怡宝", "怡宝 纯净水|怡宝 佐味茶事 菊花茶*200",
    "350ml:150|555ml:200|1.555L:450|4.5L:900", "瓶", 1300 },
  { "饮料/饮用水", "百岁山", "百岁山 天然矿泉水", "348ml:200|570ml:300|1.5L:650", "瓶", 1300 },
  { "饮料/饮用水", "康师傅", "康师傅 包装饮用水", "550ml:150|1.5L:350", "瓶", 1300 },
  { "饮料/饮用水", "娃哈哈", "娃哈哈 纯净水|娃哈哈 AD钙奶*150", "596ml:200|1.5L:400", "瓶", 1300 },
  { "饮料/饮用水", "景田", "景田 纯净水|景田 百岁山 甘霖*120", "560ml:200|4.6L:950", "瓶", 1300 },
  { "饮料/饮用水", "依云", "依云 天然矿泉水", "330ml:800|500ml:1200|1.25L:2200", "瓶", 1300 },
  { "饮料/饮用水", "今麦郎", "今麦郎 凉白开", "550ml:200|1.5L:400", "瓶", 1300 },
  /* 饮料/茶饮料 */
  { "饮料/茶饮料", "康师傅",
    "康师傅 冰红茶|康师傅 绿茶|康师傅 茉莉清茶|康师傅 茉莉蜜茶|康师傅 冰糖雪梨|康师傅 酸梅汤",
    "500ml:350|1L:550|2L:850", "瓶", 1300 },
  { "饮料/茶饮料", "统一",
    "统一 冰红茶|统一 绿茶|统一 阿萨姆奶茶*120|统一 小茗同学 冷泡绿茶*120|统一 海之言 柠檬味*120",
    "500ml:350|1L:550", "瓶", 1300 },
  { "饮料/茶饮料", "农夫山泉",
    "农夫山泉 东方树叶 乌龙茶|农夫山泉 东方树叶 茉莉花茶|农夫山泉 东方树叶 红茶|农夫山泉 东方树叶 "
    "青柑普洱|农夫山泉 茶π 柠檬红茶|农夫山泉 茶π 蜜桃乌龙茶",
    "335ml:450|500ml:550|900ml:800", "瓶", 1300 },
  { "饮料/茶饮料", "王老吉", "王老吉 凉茶", "310ml罐装:400|500ml:450|1.5L:850", "罐", 1300 },
  { "饮料/茶饮料", "加多宝", "加多宝 凉茶", "310ml罐装:400|500ml:450", "罐", 1300 },
  { "饮料/茶饮料", "三得利", "三得利 乌龙茶|三得利 无糖乌龙茶|三得利 茉莉乌龙茶",
    "500ml:550|1.25L:1000", "瓶", 1300 },
  { "饮料/茶饮料", "香飘飘", "香飘飘 原味奶茶|香飘飘 红豆奶茶|香飘飘 椰果奶茶",
    "80g杯装:450|3杯装:1290", "杯", 1300 },
  /* 饮料/咖啡 */
  { "饮料/咖啡", "雀巢", "雀巢咖啡 丝滑拿铁|雀巢咖啡 醇香原味|雀巢咖啡 香草拿铁", "268ml:650", "瓶",
    1300 },
  { "饮料/咖啡", "雀巢", "雀巢咖啡 1+2原味|雀巢咖啡 1+2奶香|雀巢咖啡 醇品黑咖啡*120",
    "7条装:1290|30条装:4590|48条装:6990", "盒", 1300 },
  { "饮料/咖啡", "星巴克", "星巴克 星冰乐 咖啡味|星巴克 星冰乐 香草味|星巴克 派克市场 黑咖啡",
    "281ml:1200", "瓶", 1300 },
  { "饮料/咖啡", "三顿半", "三顿半 超即溶精品咖啡 3号|三顿半 超即溶精品咖啡 0号",
    "6颗装:3990|24颗装:14900", "盒", 1300 },
  { "饮料/咖啡", "麦斯威尔", "麦斯威尔 特浓速溶咖啡|麦斯威尔 原味速溶咖啡",
    "13g×7条:1190|13g×30条:3990", "盒", 1300 },
  /* 乳制品: plain milk is 9 % VAT, flavoured and fermented milk 13 %. */
  { "乳制品", "伊利",
    "伊利 纯牛奶|伊利 高钙低脂牛奶*110|伊利 舒化无乳糖牛奶*140|伊利 金典纯牛奶*150",
    "250ml:350|250ml×12盒:6000|250ml×16盒:7590", "盒", 900 },
  { "乳制品", "伊利",
    "伊利 安慕希 原味酸奶|伊利 安慕希 黄桃燕麦酸奶|伊利 QQ星 儿童成长奶|伊利 优酸乳 原味",
    "200g:550|205g×12盒:6590", "盒", 1300 },
  { "乳制品", "蒙牛",
    "蒙牛 纯牛奶|蒙牛 特仑苏 纯牛奶*150|蒙牛 精选牧场 纯牛奶*130|蒙牛 低脂高钙牛奶*110",
    "250ml:350|250ml×12盒:5990|250ml×16盒:7490", "盒", 900 },
  { "乳制品", "蒙牛",
    "蒙牛 纯甄 原味酸奶|蒙牛 真果粒 草莓味|蒙牛 优益C 活菌型乳酸菌饮品|蒙牛 冠益乳 原味",
    "200g:550|230g×10瓶:5590", "盒", 1300 },
  { "乳制品", "光明", "光明 鲜牛奶|光明 优倍 高品质鲜牛奶*130", "200ml:400|950ml:1590", "盒", 900 },
  { "乳制品", "光明", "光明 莫斯利安 原味酸奶|光明 畅优 植物乳杆菌酸奶|光明 如实 发酵乳",
    "200g:550|135g×8杯:2590", "盒", 1300 },
  { "乳制品", "君乐宝", "君乐宝 简醇 0蔗糖酸奶|君乐宝 涨芝士啦 芝士酸奶|君乐宝 悦鲜活 鲜牛奶",
    "250g:550|450ml:990", "瓶", 1300 },
  { "乳制品", "旺旺", "旺仔牛奶|旺仔牛奶 O泡果奶", "245ml罐装:550|125ml×4盒:1200|125ml×20盒:4990",
    "罐", 1300 },
  { "乳制品", "养乐多", "养乐多 活菌型乳酸菌乳饮品|养乐多 低糖型乳酸菌乳饮品",
    "100ml×5瓶:1250|100ml×10瓶:2390", "排", 1300 },
  { "乳制品", "妙可蓝多", "妙可蓝多 奶酪棒 原味|妙可蓝多 奶酪棒 草莓味|妙可蓝多 马苏里拉芝士碎",
    "100g:2290|500g:8990", "袋", 1300 },
  /* 零食/膨化食品 */
  { "零食/膨化食品", "乐事",
    "乐事 薯片 原味|乐事 薯片 黄瓜味|乐事 薯片 番茄味|乐事 薯片 美国经典原味|乐事 薯片 "
    "墨西哥鸡汁番茄味|乐事 薯片 青柠味|乐事 薯片 意大利香浓红烩味",
    "40g:450|70g:750|135g:1190", "袋", 1300 },
  { "零食/膨化食品", "可比克", "可比克 薯片 番茄味|可比克 薯片 烧烤味|可比克 薯片 原味",
    "45g:350|105g:750", "袋", 1300 },
  { "零食/膨化食品", "好丽友", "好丽友 薯愿 原味|好丽友 呀!土豆 番茄酱味|好丽友 好多鱼 烧烤味",
    "40g:550|80g:950", "袋", 1300 },
  { "零食/膨化食品", "旺旺",
    "旺旺 仙贝|旺旺 雪饼|旺旺 小小酥 葱香鸡肉味|旺旺 浪味仙 田园蔬菜味|旺旺 旺仔小馒头",
    "52g:550|150g:1390|400g:2990", "袋", 1300 },
  { "零食/膨化食品", "上好佳", "上好佳 鲜虾条|上好佳 洋葱圈|上好佳 田园薯片|上好佳 粟米条",
    "40g:350|80g:650", "袋", 1300 },
  { "零食/膨化食品", "奇多", "奇多 粟米棒 日式牛排味|奇多 粟米棒 美式火鸡味", "90g:700", "袋",
    1300 },
  { "零食/膨化食品", "品客", "品客 薯片 原味|品客 薯片 酸乳酪洋葱味|品客 薯片 香辣味",
    "53g:750|110g:1290", "罐", 1300 },
  { "零食/膨化食品", "卫龙", "卫龙 大面筋|卫龙 亲嘴烧 麦辣鸡汁味|卫龙 魔芋爽 香辣味|卫龙 小面筋",
    "106g:500|260g:1290", "袋", 1300 },
  /* 零食/饼干糕点 */
  { "零食/饼干糕点", "奥利奥",
    "奥利奥 原味夹心饼干|奥利奥 巧克力味夹心饼干|奥利奥 草莓味夹心饼干|奥利奥 薄脆 香草慕斯味",
    "97g:590|194g:990|388g:1790", "盒", 1300 },
  { "零食/饼干糕点", "达利园",
    "达利园 法式软面包 香奶味|达利园 蛋黄派|达利园 瑞士卷 草莓味|达利园 好吃点 香脆核桃饼",
    "200g:890|300g:1190|600g:1990", "袋", 1300 },
  { "零食/饼干糕点", "桃李",
    "桃李 天然酵母面包|桃李 醇熟切片面包|桃李 巧克力面包|桃李 豆沙面包|桃李 椰蓉面包",
    "75g:350|400g:1090", "袋", 1300 },
  { "零食/饼干糕点", "盼盼", "盼盼 法式小面包|盼盼 梅尼耶干蛋糕|盼盼 铜锣烧", "200g:990|400g:1690",
    "袋", 1300 },
  { "零食/饼干糕点", "好丽友", "好丽友 派 巧克力味|好丽友 蛋黄派|好丽友 Q蒂 摩卡可可味",
    "6枚装:1290|12枚装:2290", "盒", 1300 },
  { "零食/饼干糕点", "康师傅",
    "康师傅 3+2 苏打饼干 奶盐味|康师傅 妙芙 欧式蛋糕 巧克力味|康师傅 甜酥夹心饼干",
    "125g:690|192g:990", "袋", 1300 },
  { "零食/饼干糕点", "嘉顿", "嘉顿 威化饼干 香草味|嘉顿 生命面包", "50g:350|200g:990", "袋", 1300 },
  { "零食/饼干糕点", "趣多多", "趣多多 巧克力曲奇 香浓巧克力味|趣多多 巧克力曲奇 榛子味",
    "85g:690|285g:1690", "袋", 1300 },
  { "零食/饼干糕点", "稻香村", "稻香村 牛舌饼|稻香村 枣花酥|稻香村 绿豆糕", "200g:1590|500g:3290",
    "盒", 1300 },
  /* 零食/糖果巧克力 */
  { "零食/糖果巧克力", "德芙",
    "德芙 丝滑牛奶巧克力|德芙 醇黑巧克力|德芙 榛仁巧克力|德芙 奶香白巧克力",
    "43g:750|80g:1390|252g:3990", "块", 1300 },
  { "零食/糖果巧克力", "士力架", "士力架 花生夹心巧克力|士力架 燕麦花生夹心巧克力",
    "51g:550|240g:2190", "条", 1300 },
  { "零食/糖果巧克力", "费列罗", "费列罗 榛果威化巧克力", "3粒装:1090|16粒装:4990|30粒装:8990",
    "盒", 1300 },
  { "零食/糖果巧克力", "大白兔", "大白兔 奶糖 原味|大白兔 奶糖 红豆味", "114g:1190|227g:1990", "袋",
    1300 },
  { "零食/糖果巧克力", "阿尔卑斯", "阿尔卑斯 棒棒糖 混合口味|阿尔卑斯 硬糖 焦香牛奶味",
    "10支装:890|150g:1290", "袋", 1300 },
  { "零食/糖果巧克力", "益达",
    "益达 无糖口香糖 薄荷味|益达 无糖口香糖 西瓜味|益达 无糖口香糖 蓝莓味",
    "40粒瓶装:1090|5片装:250", "瓶", 1300 },
  { "零食/糖果巧克力", "绿箭", "绿箭 原味薄荷口香糖|绿箭 无糖薄荷糖", "5片装:200|40粒瓶装:990",
    "瓶", 1300 },
  { "零食/糖果巧克力", "徐福记", "徐福记 酥心糖|徐福记 沙琪玛 鸡蛋味|徐福记 凤梨酥",
    "200g:1290|469g:2290", "袋", 1300 },
  { "零食/糖果巧克力", "旺旺", "旺旺 旺仔QQ糖 葡萄味|旺旺 旺仔QQ糖 水蜜桃味", "20g:150|70g:450",
    "袋", 1300 },
  { "零食/糖果巧克力", "金丝猴", "金丝猴 奶糖|金丝猴 花生牛轧糖", "200g:990|500g:1990", "袋",
    1300 },
  /* 零食/坚果炒货 */
  { "零食/坚果炒货", "三只松鼠",
    "三只松鼠 每日坚果|三只松鼠 夏威夷果 奶油味|三只松鼠 碧根果|三只松鼠 开心果|三只松鼠 "
    "手剥巴旦木|三只松鼠 芒果干",
    "30g:490|160g:2990|265g:3990", "袋", 1300 },
  { "零食/坚果炒货", "良品铺子",
    "良品铺子 每日坚果|良品铺子 猪肉脯|良品铺子 鸭脖 麻辣味|良品铺子 蜜饯果脯",
    "100g:1590|200g:2990", "袋", 1300 },
  { "零食/坚果炒货", "洽洽",
    "洽洽 香瓜子 原味|洽洽 香瓜子 焦糖味|洽洽 香瓜子 山核桃味|洽洽 小黄袋 每日坚果*200",
    "108g:690|308g:1490|26g:450", "袋", 1300 },
  { "零食/坚果炒货", "百草味", "百草味 夏威夷果|百草味 腰果|百草味 芒果干|百草味 红枣",
    "100g:1590|200g:2890", "袋", 1300 },
  { "零食/坚果炒货", "甘源", "甘源 蟹黄味瓜子仁|甘源 青豆 蒜香味|甘源 兰花豆", "75g:450|285g:1390",
    "袋", 1300 },
  /* 方便速食 */
  { "方便速食", "康师傅",
    "康师傅 红烧牛肉面|康师傅 香辣牛肉面|康师傅 老坛酸菜牛肉面|康师傅 鲜虾鱼板面|康师傅 "
    "酸香番茄牛肉面|康师傅 香菇炖鸡面",
    "袋装:300|五连包:1250|桶装:450@桶", "袋", 1300 },
  { "方便速食", "统一",
    "统一 老坛酸菜牛肉面|统一 来一桶 红烧牛肉面|统一 汤达人 日式豚骨拉面*150|统一 茄皇 番茄鸡蛋面",
    "袋装:300|五连包:1250|桶装:450@桶", "袋", 1300 },
  { "方便速食", "今麦郎", "今麦郎 一桶半 红烧牛肉面|今麦郎 弹面 香辣牛肉面", "袋装:250|桶装:400@桶",
    "袋", 1300 },
  { "方便速食", "白象", "白象 汤好喝 老母鸡汤面|白象 大骨面 红烧排骨味", "袋装:300|桶装:500@桶",
    "袋", 1300 },
  { "方便速食", "日清", "日清 合味道 海鲜味杯面|日清 合味道 咖喱海鲜味杯面|日清 出前一丁 麻油味",
    "84g:650|100g:750", "杯", 1300 },
  { "方便速食", "自嗨锅", "自嗨锅 麻辣牛肚自热火锅|自嗨锅 番茄牛腩自热火锅|自嗨锅 川味香肠煲仔饭",
    "1盒:3590", "盒", 1300 },
  { "方便速食", "三全", "三全 猪肉白菜水饺|三全 灌汤小笼包|三全 汤圆 黑芝麻味|三全 香菇猪肉馄饨",
    "500g:1590|1kg:2890", "袋", 1300 },
  { "方便速食", "思念", "思念 猪肉大葱水饺|思念 金牌虾仁水饺*140|思念 粽子 豆沙味",
    "500g:1690|1kg:2990", "袋", 1300 },
  { "方便速食", "双汇", "双汇 王中王 火腿肠|双汇 玉米热狗肠|双汇 泡面拍档",
    "30g×9支:990|40g×10支:1390", "袋", 1300 },
  { "方便速食", "梅林", "梅林 午餐肉罐头|梅林 红烧扣肉罐头", "198g:1190|340g:1890", "罐", 1300 },
  { "方便速食", "螺霸王", "螺霸王 柳州螺蛳粉", "280g:1390|3袋装:3590", "袋", 1300 },
  { "方便速食", "海底捞", "海底捞 自热小火锅 麻辣嫩牛|海底捞 冲泡酸辣粉", "1盒:3990|130g:990", "盒",
    1300 },
  /* 酒类/啤酒 */
  { "酒类/啤酒", "青岛啤酒",
    "青岛啤酒 经典|青岛啤酒 纯生*120|青岛啤酒 崂山啤酒*80|青岛啤酒 白啤*130",
    "330ml罐装:450|500ml罐装:650|600ml瓶装:750", "罐", 1300 },
  { "酒类/啤酒", "雪花", "雪花 勇闯天涯|雪花 纯生*120|雪花 清爽*80|雪花 脸谱 花脸*200",
    "330ml罐装:350|500ml罐装:500", "罐", 1300 },
  { "酒类/啤酒", "燕京", "燕京 清爽啤酒|燕京 U8 小度特酿*120", "330ml罐装:350|500ml罐装:500", "罐",
    1300 },
  { "酒类/啤酒", "百威", "百威 啤酒|百威 红罐", "330ml罐装:550|500ml罐装:750", "罐", 1300 },
  { "酒类/啤酒", "哈尔滨啤酒", "哈尔滨啤酒 冰纯|哈尔滨啤酒 小麦王", "330ml罐装:350|500ml罐装:500",
    "罐", 1300 },
  { "酒类/啤酒", "乐堡", "乐堡 啤酒", "500ml罐装:600", "罐", 1300 },
  { "酒类/啤酒", "珠江啤酒", "珠江啤酒 纯生|珠江啤酒 0度", "330ml罐装:400|500ml罐装:550", "罐",
    1300 },
  /* 酒类/白酒 */
  { "酒类/白酒", "牛栏山", "牛栏山 二锅头 陈酿|牛栏山 二锅头 清香型 56度", "100ml:700|500ml:2500",
    "瓶", 1300 },
  { "酒类/白酒", "红星", "红星 二锅头 56度|红星 蓝瓶 二锅头 绵柔8年*200",
    "100ml:600|150ml:1000|500ml:2990", "瓶", 1300 },
  { "酒类/白酒", "江小白", "江小白 表达瓶 40度|江小白 果立方 白桃味", "100ml:2190|168ml:3290", "瓶",
    1300 },
  { "酒类/白酒", "洋河", "洋河 海之蓝 42度|洋河 天之蓝 52度*180", "375ml:9900|480ml:14900", "瓶",
    1300 },
  { "酒类/白酒", "泸州老窖", "泸州老窖 头曲|泸州老窖 特曲*200", "500ml:9900", "瓶", 1300 },
  { "酒类/白酒", "五粮液", "五粮液 52度", "500ml:109900", "瓶", 1300 },
  { "酒类/白酒", "汾酒", "汾酒 黄盖玻汾 53度|汾酒 青花20 53度*800", "475ml:5500", "瓶", 1300 },
  /* 粮油调味: grain and edible oil are 9 % VAT, seasonings 13 %. */
  { "粮油调味", "金龙鱼", "金龙鱼 黄金比例食用调和油|金龙鱼 葵花籽油*120|金龙鱼 花生油*150",
    "900ml:1990|1.8L:3590|5L:7990", "桶", 900 },
  { "粮油调味", "金龙鱼", "金龙鱼 东北大米|金龙鱼 优质丝苗米|金龙鱼 高筋小麦粉*80|金龙鱼 麦芯粉*80",
    "1kg:1090|5kg:3990|10kg:7590", "袋", 900 },
  { "粮油调味", "福临门", "福临门 一级大豆油|福临门 玉米油*120|福临门 东北大米*80",
    "1.8L:2990|5L:6990", "桶", 900 },
  { "粮油调味", "鲁花", "鲁花 5S压榨一级花生油|鲁花 低芥酸菜籽油*80", "900ml:3290|5L:15990", "桶",
    900 },
  { "粮油调味", "柴火大院", "柴火大院 五常大米|柴火大院 东北小町米", "2.5kg:4990|5kg:8990", "袋",
    900 },
  { "粮油调味", "海天",
    "海天 金标生抽|海天 味极鲜酱油|海天 老抽王|海天 草菇老抽|海天 上等蚝油|海天 陈醋|海天 "
    "料酒|海天 黄豆酱",
    "500ml:790|1.28L:1590|1.9L:2190", "瓶", 1300 },
  { "粮油调味", "李锦记", "李锦记 薄盐生抽|李锦记 旧庄蚝油*120|李锦记 锦珍老抽|李锦记 蒸鱼豉油",
    "500ml:1290|1.65L:2990", "瓶", 1300 },
  { "粮油调味", "老干妈", "老干妈 风味豆豉油制辣椒|老干妈 香辣脆油辣椒|老干妈 油辣椒 鸡油",
    "210g:1090|280g:1390", "瓶", 1300 },
  { "粮油调味", "太太乐", "太太乐 鸡精 调味料|太太乐 蘑菇精 调味料|太太乐 鲜鸡汁",
    "100g:690|200g:1190|454g:2290", "袋", 1300 },
  { "粮油调味", "恒顺", "恒顺 镇江香醋|恒顺 料酒", "500ml:890", "瓶", 1300 },
  { "粮油调味", "中盐", "中盐 加碘精制盐|中盐 未加碘深井岩盐|中盐 低钠盐*150", "400g:300|500g:350",
    "包", 1300 },
  { "粮油调味", "太古", "太古 优级白砂糖|太古 纯正冰糖|太古 方糖", "454g:990|1kg:1590", "包",
    1300 },
  { "粮油调味", "王守义", "王守义 十三香 调味料|王守义 麻辣鲜 调味料", "45g:450|100g:890", "盒",
    1300 },
  { "粮油调味", "安琪", "安琪 高活性干酵母|安琪 无铝害泡打粉", "13g:250|100g:990", "袋", 1300 },
  { "粮油调味", "好人家", "好人家 火锅底料 牛油麻辣|好人家 酸菜鱼调料", "150g:1190|400g:2490", "袋",
    1300 },
  /* 日用百货/纸品 */
  { "日用百货/纸品", "清风",
    "清风 原木纯品抽纸 3层|清风 卷纸 4层|清风 湿巾 婴儿可用|清风 手帕纸 4层",
    "3包装:1290|6包装:2390|10包装:3790", "提", 1300 },
  { "日用百货/纸品", "维达", "维达 超韧抽纸 3层|维达 蓝色经典卷纸|维达 棉韧湿厕纸|维达 手帕纸 4层",
    "3包装:1390|6包装:2490|10包装:3890", "提", 1300 },
  { "日用百货/纸品", "心相印", "心相印 茶语抽纸|心相印 手帕纸|心相印 卷纸 三层|心相印 厨房用纸",
    "3包装:1290|6包装:2290|10包装:3690", "提", 1300 },
  { "日用百货/纸品", "洁柔", "洁柔 face抽纸|洁柔 Lotion乳霜纸巾*150|洁柔 黑Face 卷纸",
    "3包装:1390|6包装:2590|10包装:3990", "提", 1300 },
  /* 日用百货/个人洗护 */
  { "日用百货/个人洗护", "海飞丝",
    "海飞丝 丝质柔滑去屑洗发水|海飞丝 清爽去油去屑洗发水|海飞丝 怡神冰凉型洗发水",
    "200ml:3290|400ml:5290|750ml:7990", "瓶", 1300 },
  { "日用百货/个人洗护", "飘柔", "飘柔 兰花长效清爽洗发水|飘柔 人参滋养洗发水|飘柔 焗油护发素",
    "400ml:3990|750ml:5990", "瓶", 1300 },
  { "日用百货/个人洗护", "潘婷", "潘婷 乳液修护洗发水|潘婷 3分钟奇迹护发素",
    "400ml:4290|750ml:6590", "瓶", 1300 },
  { "日用百货/个人洗护", "舒肤佳",
    "舒肤佳 纯白清香沐浴露|舒肤佳 柠檬清新沐浴露|舒肤佳 芦荟水润沐浴露",
    "400ml:2990|720ml:4590|1L:5990", "瓶", 1300 },
  { "日用百货/个人洗护", "舒肤佳", "舒肤佳 纯白清香香皂|舒肤佳 芦荟护肤香皂|舒肤佳 柠檬清新香皂",
    "100g:450|115g×3块:1290", "块", 1300 },
  { "日用百货/个人洗护", "六神", "六神 花露水|六神 清凉沐浴露|六神 驱蚊花露水",
    "95ml:1190|195ml:1990", "瓶", 1300 },
  { "日用百货/个人洗护", "高露洁", "高露洁 全面防蛀牙膏|高露洁 冰爽薄荷牙膏|高露洁 美白牙膏",
    "90g:790|140g:1190|250g:1990", "支", 1300 },
  { "日用百货/个人洗护", "云南白药", "云南白药 牙膏 留兰香型|云南白药 牙膏 薄荷清爽型",
    "100g:2590|180g:3990", "支", 1300 },
  { "日用百货/个人洗护", "佳洁士", "佳洁士 3D炫白牙膏|佳洁士 全优7效牙膏|佳洁士 盐白牙膏",
    "120g:1590|180g:2190", "支", 1300 },
  { "日用百货/个人洗护", "黑人", "黑人 双重薄荷牙膏|黑人 超白竹炭牙膏", "140g:1290|225g:1890", "支",
    1300 },
  { "日用百货/个人洗护", "护舒宝", "护舒宝 液体卫生巾 日用|护舒宝 液体卫生巾 夜用|护舒宝 卫生护垫",
    "10片:1990|20片:3590", "包", 1300 },
  { "日用百货/个人洗护", "苏菲", "苏菲 弹力贴身卫生巾 日用|苏菲 超熟睡卫生巾 夜用",
    "10片:1590|20片:2890", "包", 1300 },
  { "日用百货/个人洗护", "大宝", "大宝 SOD蜜|大宝 美容日霜", "100ml:1590|200ml:2690", "瓶", 1300 },
  /* 日用百货/家居清洁 */
  { "日用百货/家居清洁", "蓝月亮",
    "蓝月亮 深层洁净洗衣液 薰衣草香|蓝月亮 亮白增艳洗衣液|蓝月亮 手洗专用洗衣液|蓝月亮 "
    "芦荟抑菌洗手液",
    "500g:1990|1kg:2990|3kg:6990", "瓶", 1300 },
  { "日用百货/家居清洁", "立白",
    "立白 超洁薰衣草洗衣粉|立白 天然皂液|立白 清新柠檬洗洁精|立白 大师香氛洗衣液",
    "1kg:1590|2kg:2790", "袋", 1300 },
  { "日用百货/家居清洁", "奥妙", "奥妙 除菌除螨洗衣液|奥妙 全自动洗衣粉", "1kg:2690|3kg:5990", "瓶",
    1300 },
  { "日用百货/家居清洁", "超能", "超能 天然皂粉|超能 植翠低泡洗衣液", "1kg:2290|2kg:3990", "袋",
    1300 },
  { "日用百货/家居清洁", "威猛先生", "威猛先生 厨房重油污净|威猛先生 洁厕液|威猛先生 玻璃清洁剂",
    "500g:1590|960g:1990", "瓶", 1300 },
  { "日用百货/家居清洁", "威露士", "威露士 消毒液|威露士 健康抑菌洗手液|威露士 衣物除菌液",
    "500ml:2290|1L:3590", "瓶", 1300 },
  { "日用百货/家居清洁", "雕牌", "雕牌 超效加酶洗衣粉|雕牌 透明皂|雕牌 洗洁精 生姜",
    "500g:690|1kg:1190", "袋", 1300 },
  { "日用百货/家居清洁", "妙洁", "妙洁 一次性垃圾袋|妙洁 保鲜膜|妙洁 保鲜袋|妙洁 一次性手套",
    "中号50只:990|大号30只:1290", "卷", 1300 },
  { "日用百货/家居清洁", "南孚", "南孚 5号碱性电池|南孚 7号碱性电池",
    "2粒装:590|4粒装:1090|12粒装:2990", "板", 1300 },
  /* 生鲜/肉禽蛋: boxed eggs are counted and carry a barcode. */
  { "生鲜/肉禽蛋", "德青源", "德青源 鲜鸡蛋|德青源 无抗鲜鸡蛋*130", "10枚装:1590|30枚装:3990", "盒",
    900 },
  { "生鲜/肉禽蛋", "圣迪乐村", "圣迪乐村 鲜鸡蛋|圣迪乐村 初生蛋*130", "10枚装:1690|30枚装:4290",
    "盒", 900 },
};

/* Weighed fresh goods: "name:price per kg in fen". */
static const DemoFresh demo_fresh[] = {
  { "生鲜/水果", "香蕉:598|红富士苹果:1198|皇冠梨:798|砂糖橘:998|赣南脐橙:1098|巨峰葡萄:1598|"
                 "阳光玫瑰葡萄:3998|麒麟西瓜:398|哈密瓜:698|芒果:1598|火龙果:1398|猕猴桃:1998|菠萝:"
                 "698|凤梨:998|草莓:3998|车厘子:9998|蓝莓:7998|柠檬:1198|百香果:1598|水蜜桃:1598|"
                 "荔枝:2598|龙眼:1998|山竹:3998|榴莲:5998|柚子:598|雪梨:698|冬枣:1598|石榴:1198|"
                 "木瓜:998|杨梅:2998|枇杷:2598|李子:998|圣女果:1598|椰青:1298" },
  { "生鲜/蔬菜",
    "西红柿:598|黄瓜:498|土豆:398|大白菜:198|上海青:598|胡萝卜:398|洋葱:398|茄子:598|青椒:798|菠菜:"
    "798|芹菜:598|生菜:698|西兰花:998|大蒜:1198|生姜:1398|大葱:598|韭菜:798|豆角:898|四季豆:898|"
    "冬瓜:298|南瓜:398|山药:998|莲藕:898|香菇:1598|金针菇:998|平菇:798|白萝卜:298|莴笋:598|玉米:"
    "598|红薯:498|娃娃菜:698|苦瓜:798|丝瓜:798|秋葵:1598|香菜:1598|黄豆芽:398" },
  { "生鲜/肉禽蛋",
    "猪五花肉:2998|猪里脊肉:3298|猪前腿肉:2598|猪排骨:3998|猪蹄:2598|牛腩:7998|牛腱子:8998|羊肉卷:"
    "7998|鸡胸肉:1998|鸡翅中:4598|鸡腿:2398|整鸡:2598|鸭腿:1998|散装鸡蛋:1198|土鸡蛋:1998|鹌鹑蛋:"
    "1998|带鱼:4998|鲈鱼:3998|基围虾:7998|草鱼:1998" },
};

/* Quick keys: rank 1 first. Names as the generator builds them. */
static const char *const demo_popular[] = {
  "农夫山泉 饮用天然水 550ml",
  "可口可乐 500ml",
  "康师傅 红烧牛肉面 桶装",
  "伊利 纯牛奶 250ml",
  "香蕉",
  "德青源 鲜鸡蛋 10枚装",
  "桃李 醇熟切片面包 400g",
  "怡宝 纯净水 555ml",
  "康师傅 冰红茶 500ml",
  "雪碧 500ml",
  "百事可乐 500ml",
  "元气森林 白桃味苏打气泡水 480ml",
  "蒙牛 纯牛奶 250ml",
  "乐事 薯片 原味 70g",
  "青岛啤酒 经典 500ml罐装",
  "雪花 勇闯天涯 500ml罐装",
  "统一 老坛酸菜牛肉面 桶装",
  "红富士苹果",
  "西红柿",
  "猪五花肉",
  "旺仔牛奶 245ml罐装",
  "农夫山泉 东方树叶 茉莉花茶 500ml",
  "王老吉 凉茶 310ml罐装",
  "德芙 丝滑牛奶巧克力 43g",
  "益达 无糖口香糖 薄荷味 40粒瓶装",
  "心相印 手帕纸 10包装",
  "清风 原木纯品抽纸 3层 3包装",
  "双汇 王中王 火腿肠 30g×9支",
  "光明 鲜牛奶 950ml",
  "雀巢咖啡 丝滑拿铁 268ml",
  "蒙牛 纯甄 原味酸奶 200g",
  "三只松鼠 每日坚果 30g",
  "洽洽 香瓜子 原味 108g",
  "奥利奥 原味夹心饼干 97g",
  "士力架 花生夹心巧克力 51g",
  "黄瓜",
  "土豆",
  "鸡胸肉",
  "海天 金标生抽 500ml",
  "中盐 加碘精制盐 400g",
  "金龙鱼 东北大米 5kg",
  "百岁山 天然矿泉水 570ml",
  "统一 冰红茶 500ml",
  "可口可乐 330ml罐装",
  "南孚 5号碱性电池 2粒装",
  "卫龙 大面筋 106g",
  "达利园 蛋黄派 300g",
  "康师傅 红烧牛肉面 五连包",
};

/* Beyond the natural range (brand × product × size), larger stores get pack
 * variants, then numbered series; prices scale with the pack. */
static const struct
{
  const char *label;
  int         percent;
} demo_packs[] = {
  { NULL, 100 },     { "家庭装", 250 }, { "组合装", 300 }, { "促销装", 90 },  { "新包装", 100 },
  { "量贩装", 500 }, { "礼盒装", 400 }, { "限定版", 120 }, { "经典版", 100 }, { "升级版", 110 },
};

/* Weighed goods vary by grade and origin. */
static const struct
{
  const char *label;
  int         percent;
} demo_grades[] = {
  { "", 100 },     { "精品", 130 }, { "特级", 150 }, { "有机", 200 }, { "优选", 115 },
  { "当季", 100 }, { "新鲜", 100 }, { "散装", 90 },  { "一级", 110 }, { "农家", 120 },
};

static const char *const demo_origins[] = {
  "",     "山东", "新疆", "海南", "云南", "广西", "陕西",   "四川",
  "福建", "浙江", "江苏", "河北", "甘肃", "东北", "内蒙古",
};

/* Fresh produce, meat and eggs: 9 % VAT (agricultural products). */
#define FRESH_VAT_RATE 900
/* About 5 % of the products are weighed. */
#define WEIGHED_PERCENT 5

typedef struct
{
  char       *name;
  const char *brand;
  const char *unit;
  gint64      category_id;
  gint64      price;
  int         vat_rate;
  int         rank; /* quick-key rank, 0 = none */
} Candidate;

/* Candidates of one kind (packaged or weighed), popular ones first and the rest
 * shuffled, walked round after round with a new variant each round. */
typedef struct
{
  GArray *candidates; /* Candidate */
  guint   next;       /* how many have been taken, over all rounds */
} Stream;

typedef struct
{
  guint company; /* GS1 company number, unique across the demo */
  guint next_item;
} BrandCodes;

typedef struct
{
  TillCatalog  *catalog;
  GRand        *rand;
  GHashTable   *category_ids;  /* path → gint64 id (in a pointer) */
  GHashTable   *popular_ranks; /* name → rank */
  GHashTable   *names;         /* names used so far */
  GHashTable   *skus_by_name;  /* name (borrowed from names) → SKU, of the products made */
  GHashTable   *brand_codes;   /* brand → BrandCodes */
  GStringChunk *strings;       /* units and other strings borrowed by candidates */
  guint         next_company;
  guint         n_weighed;
  guint         n_counted_plus;
} Demo;

static void
candidate_clear (gpointer data)
{
  Candidate *candidate = data;

  g_free (candidate->name);
}

static gint64
round_to_jiao (gint64 fen)
{
  gint64 rounded = (fen + 5) / 10 * 10;

  return MAX (rounded, 10);
}

static int
popular_rank (Demo *demo, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (demo->popular_ranks, name));
}

static void
add_candidate (Demo       *demo,
               GArray     *candidates,
               char       *name,
               const char *brand,
               const char *unit,
               gint64      category_id,
               gint64      price,
               int         vat_rate)
{
  Candidate candidate = {
    .name = name,
    .brand = brand,
    .unit = unit,
    .category_id = category_id,
    .price = price,
    .vat_rate = vat_rate,
    .rank = popular_rank (demo, name),
  };

  g_array_append_val (candidates, candidate);
}

static gint64
category_id_for (Demo *demo, const char *path)
{
  gpointer id = g_hash_table_lookup (demo->category_ids, path);

  g_assert (id != NULL);
  return (gint64) GPOINTER_TO_SIZE (id);
}

static void
build_packaged_candidates (Demo *demo, GArray *candidates)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_lines); i++)
    {
      const DemoLine *line = &demo_lines[i];
      g_auto (GStrv) bases = g_strsplit (line->bases, "|", -1);
      g_auto (GStrv) specs = g_strsplit (line->specs, "|", -1);
      gint64 category_id = category_id_for (demo, line->category);

      for (char **base = bases; *base != NULL; base++)
        {
          char *star = strchr (*base, '*');
          int   percent = 100;

          if (star != NULL)
            {
              *star = '\0';
              percent = atoi (star + 1);
            }
          for (char **spec = specs; *spec != NULL; spec++)
            {
              g_autofree char *label = g_strdup (*spec);
              char            *colon = strchr (label, ':');
              char            *at;
              const char      *unit = line->unit;
              gint64           price;

              g_assert (colon != NULL);
              *colon = '\0';
              at = strchr (colon + 1, '@');
              if (at != NULL)
                {
                  *at = '\0';
                  unit = g_string_chunk_insert_const (demo->strings, at + 1);
                }
              price = round_to_jiao (g_ascii_strtoll (colon + 1, NULL, 10) * percent / 100);
              add_candidate (demo, candidates, g_strconcat (*base, " ", label, NULL), line->brand,
                             unit, category_id, price, line->vat_rate);
            }
        }
    }
}

static void
build_weighed_candidates (Demo *demo, GArray *candidates)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_fresh); i++)
    {
      g_auto (GStrv) items = g_strsplit (demo_fresh[i].items, "|", -1);
      gint64 category_id = category_id_for (demo, demo_fresh[i].category);

      for (char **item = items; *item != NULL; item++)
        {
          char *colon = strchr (*item, ':');

          g_assert (colon != NULL);
          *colon = '\0';
          add_candidate (demo, candidates, g_strdup (*item), NULL, "kg", category_id,
                         g_ascii_strtoll (colon + 1, NULL, 10), FRESH_VAT_RATE);
        }
    }
}

static int
compare_rank (gconstpointer a, gconstpointer b)
{
  const Candidate *ca = a;
  const Candidate *cb = b;

  return ca->rank - cb->rank;
}

/* Puts the quick-key products first, by rank, so that even a small demo store has
 * them, and shuffles the rest so that any size gets a mix of every category. */
static void
order_candidates (Demo *demo, GArray *candidates)
{
  guint n_popular = 0;

  for (guint i = 0; i < candidates->len; i++)
    if (g_array_index (candidates, Candidate, i).rank > 0)
      {
        Candidate swap = g_array_index (candidates, Candidate, n_popular);

        g_array_index (candidates, Candidate, n_popular) = g_array_index (candidates, Candidate, i);
        g_array_index (candidates, Candidate, i) = swap;
        n_popular++;
      }
  qsort (candidates->data, n_popular, sizeof (Candidate), compare_rank);

  for (guint i = candidates->len; i > n_popular + 1; i--)
    {
      guint     j = n_popular + (guint) g_rand_int_range (demo->rand, 0, (gint32) (i - n_popular));
      Candidate swap = g_array_index (candidates, Candidate, i - 1);

      g_array_index (candidates, Candidate, i - 1) = g_array_index (candidates, Candidate, j);
      g_array_index (candidates, Candidate, j) = swap;
    }
}

/* The next product of @stream with a name not used yet: the candidate itself in
 * the first round, then with a variant. Sets the price and returns the name. */
static char *
stream_next (
    Demo *demo, Stream *stream, gboolean weighed, Candidate **out_candidate, gint64 *out_price)
{
  for (;;)
    {
      guint      n = stream->candidates->len;
      guint      round = stream->next / n;
      Candidate *candidate = &g_array_index (stream->candidates, Candidate, stream->next % n);
      char      *name;
      int        percent;

      stream->next++;
      if (weighed)
        {
          guint grade = round % G_N_ELEMENTS (demo_grades);
          guint origin = (round / G_N_ELEMENTS (demo_grades)) % G_N_ELEMENTS (demo_origins);
          guint series = round / (G_N_ELEMENTS (demo_grades) * G_N_ELEMENTS (demo_origins));

          percent = demo_grades[grade].percent;
          if (series > 0)
            name = g_strdup_printf ("%s%s%s %u号", demo_origins[origin], demo_grades[grade].label,
                                    candidate->name, series + 1);
          else
            name =
                g_strconcat (demo_origins[origin], demo_grades[grade].label, candidate->name, NULL);
        }
      else
        {
          guint       pack = round % G_N_ELEMENTS (demo_packs);
          guint       series = round / G_N_ELEMENTS (demo_packs);
          const char *label = demo_packs[pack].label;

          percent = demo_packs[pack].percent;
          if (series > 0)
            name = g_strdup_printf ("%s%s%s 第%u款", candidate->name, label ? " " : "",
                                    label ? label : "", series + 1);
          else
            name = g_strconcat (candidate->name, label ? " " : "", label, NULL);
        }

      if (g_hash_table_contains (demo->names, name))
        {
          g_free (name);
          continue;
        }
      g_hash_table_add (demo->names, name);

      *out_candidate = candidate;
      /* The natural products keep their real prices; variants vary a little. */
      if (round == 0)
        *out_price = candidate->price;
      else
        *out_price = round_to_jiao (candidate->price * percent / 100 *
                                    g_rand_int_range (demo->rand, 90, 111) / 100);
      return name;
    }
}

static char *
next_barcode (Demo *demo, const char *brand)
{
  BrandCodes *codes = g_hash_table_lookup (demo->brand_codes, brand);
  char        twelve[16];

  /* Each brand numbers its items under a company number of its own; a brand that
   * uses up 10,000 item numbers gets another company number, as real firms do. */
  if (codes == NULL || codes->next_item > 9999)
    {
      if (codes == NULL)
        {
          codes = g_new0 (BrandCodes, 1);
          g_hash_table_insert (demo->brand_codes, (gpointer) brand, codes);
        }
      codes->company = demo->next_company++;
      codes->next_item = 0;
    }
  /* China's GS1 prefixes are 690–699. */
  g_snprintf (twelve, sizeof twelve, "69%01u%05u%04u", codes->company % 10, codes->company,
              codes->next_item++);
  return till_barcode_ean13_complete (twelve);
}

static gboolean
add_categories (Demo *demo, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_categories); i++)
    {
      const char *path = demo_categories[i].path;
      const char *slash = strrchr (path, '/');
      gint64      parent_id = 0;
      gint64      id;

      if (slash != NULL)
        {
          g_autofree char *parent = g_strndup (path, slash - path);

          parent_id = category_id_for (demo, parent);
        }
      id = till_catalog_add_category (demo->catalog, parent_id, slash ? slash + 1 : path, error);
      if (id == 0 ||
          !till_catalog_set_category_code (demo->catalog, id, demo_categories[i].code, error))
        return FALSE;
      g_hash_table_insert (demo->category_ids, (gpointer) path, GSIZE_TO_POINTER ((gsize) id));
    }
  return TRUE;
}

static gboolean
add_product (Demo *demo, guint index, Stream *stream, gboolean weighed, GError **error)
{
  Candidate       *candidate = NULL;
  gint64           price = 0;
  char            *name = stream_next (demo, stream, weighed, &candidate, &price);
  g_autofree char *sku = g_strdup_printf ("%u", 100001 + index);
  g_autofree char *plu = NULL;
  TillProductSpec  spec = {
     .sku = sku,
     .name = name,
     .brand = candidate->brand,
     .unit = candidate->unit,
     .category_id = candidate->category_id,
     .price = price,
     .vat_rate = candidate->vat_rate,
     .weighed = weighed,
     .active = TRUE,
  };
  gboolean natural = stream->next <= stream->candidates->len;
  int      rank = natural ? candidate->rank : 0;
  gint64   id;

  /* Weighed goods are keyed in by PLU or come from the scale's label; popular
   * counted goods get a short PLU for items whose barcode is often unreadable. */
  if (weighed && demo->n_weighed < 89999)
    plu = g_strdup_printf ("%05u", 10001 + demo->n_weighed);
  else if (!weighed && rank > 0)
    plu = g_strdup_printf ("8%03d", rank);
  if (weighed)
    demo->n_weighed++;
  spec.plu = plu;

  spec.cost = price * g_rand_int_range (demo->rand, 60, 86) / 100;
  if (g_rand_int_range (demo->rand, 0, 100) < 15)
    {
      gint64 member_price = price * 90 / 100 / 10 * 10;

      if (member_price > 0 && member_price < price)
        spec.member_price = member_price;
    }

  id = till_catalog_add_product (demo->catalog, &spec, error);
  if (id == 0)
    return FALSE;
  g_hash_table_insert (demo->skus_by_name, name, g_strdup (sku));
  if (rank > 0 && !till_catalog_set_popularity (demo->catalog, id, rank, error))
    return FALSE;

  if (!weighed)
    {
      int n_codes = g_rand_int_range (demo->rand, 0, 100) < 5 ? 2 : 1;

      for (int i = 0; i < n_codes; i++)
        {
          g_autofree char *code = next_barcode (demo, candidate->brand);

          if (!till_catalog_add_barcode (demo->catalog, id, code, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
add_settings_and_users (TillStore *store, GError **error)
{
  static const struct
  {
    const char *key;
    const char *value;
  } settings[] = {
    { "store.name", "开心便利店（演示店）" },
    { "store.address", "上海市浦东新区世纪大道100号" },
    { "store.phone", "021-5888 6666" },
    { "till.id", "T01" },
    { "receipt.footer", "谢谢惠顾，欢迎再次光临！" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    if (!till_store_set_setting (store, settings[i].key, settings[i].value, error))
      return FALSE;
  if (!till_store_set_setting (store, "rounding", till_rounding_to_string (TILL_ROUNDING_DROP_FEN),
                               error))
    return FALSE;

  if (till_user_create (store, TILL_DEMO_CASHIER_CODE, "王小丽", TILL_ROLE_CASHIER,
                        TILL_DEMO_CASHIER_PIN, error) == 0 ||
      till_user_create (store, TILL_DEMO_MANAGER_CODE, "李经理", TILL_ROLE_MANAGER,
                        TILL_DEMO_MANAGER_PIN, error) == 0)
    return FALSE;
  return TRUE;
}

/* Tenders for the demo: every tender on in the default order, two
 * stored-value cards (充500送50, and a small one to show a short balance)
 * and vouchers: five ¥10 off a ¥50 sale, one ¥20 with no minimum, one that
 * expired last year. */
static gboolean
add_payments (TillStore *store, GError **error)
{
  static const struct
  {
    const char *code;
    gint64      face_value;
    gint64      min_spend;
    const char *valid_from;
    const char *valid_until;
  } vouchers[] = {
    { "V2026001", 1000, 5000, NULL, NULL },
    { "V2026002", 1000, 5000, NULL, NULL },
    { "V2026003", 1000, 5000, NULL, NULL },
    { "V2026004", 1000, 5000, NULL, NULL },
    { "V2026005", 1000, 5000, NULL, NULL },
    { TILL_DEMO_VOUCHER_ANY, 2000, 0, NULL, NULL },
    { TILL_DEMO_VOUCHER_EXPIRED, 1000, 0, "2025-01-01", "2025-12-31" },
  };

  if (!till_store_set_setting (store, "tenders.enabled", TILL_TENDERS_DEFAULT, error) ||
      !till_stored_value_open (store, TILL_DEMO_STORED_VALUE_CARD, "王芳", 50000, 5000, error) ||
      !till_stored_value_open (store, TILL_DEMO_STORED_VALUE_SMALL_CARD, "张伟", 3000, 0, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (vouchers); i++)
    {
      if (!till_voucher_issue (store, vouchers[i].code, vouchers[i].face_value,
                               vouchers[i].min_spend, vouchers[i].valid_from,
                               vouchers[i].valid_until, error))
        return FALSE;
    }
  return TRUE;
}

/* Cheap snacks for 零食任选3件10元: the well-known ones first, so that even a
 * small demo store has some; those a store does not have are left out. */
static const char *const demo_snack_deal[] = {
  "卫龙 大面筋 106g",          "三只松鼠 每日坚果 30g",
  "士力架 花生夹心巧克力 51g", "卫龙 亲嘴烧 麦辣鸡汁味 106g",
  "卫龙 魔芋爽 香辣味 106g",   "卫龙 小面筋 106g",
  "乐事 薯片 原味 40g",        "上好佳 鲜虾条 40g",
  "可比克 薯片 番茄味 45g",    "旺旺 旺仔QQ糖 葡萄味 70g",
};

/* The milk of 买两盒牛奶赠一包饼干, and the biscuits given. */
static const char *const demo_gift_milk[] = {
  "伊利 纯牛奶 250ml",
  "蒙牛 纯牛奶 250ml",
};
#define DEMO_GIFT_BISCUITS "奥利奥 原味夹心饼干 97g"

/* The SKUs of the products named @names that this store has; NULL when it
 * has none of them. */
static GStrv
skus_for_names (Demo *demo, const char *const *names, gsize n_names)
{
  g_autoptr (GPtrArray) skus = g_ptr_array_new ();

  for (gsize i = 0; i < n_names; i++)
    {
      const char *sku = g_hash_table_lookup (demo->skus_by_name, names[i]);

      if (sku != NULL)
        g_ptr_array_add (skus, g_strdup (sku));
    }
  if (skus->len == 0)
    return NULL;
  g_ptr_array_add (skus, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&skus), FALSE);
}

/* Saves @promotion as one of the till's own, as till_promotion_save_local()
 * stores it (checked, as its JSON), but inside the demo's transaction and
 * without a journal entry: the demo is set up before the till has its
 * journal (and signing key), like the rest of the demo's master data. */
static gboolean
save_promotion (TillStore *store, const TillPromotion *promotion, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *json = NULL;

  if (!till_promotion_validate (promotion, error))
    return FALSE;
  json = till_promotion_to_json (promotion);
  stmt = till_store_prepare (store,
                             "INSERT INTO promotion (code, data, updated_us) VALUES (?, ?, ?) "
                             "ON CONFLICT (code) DO UPDATE SET data = excluded.data, "
                             "updated_us = excluded.updated_us",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return till_store_step_done (store, stmt, error);
}

static GStrv
strv_of (const char *first)
{
  const char *strv[] = { first, NULL };

  return g_strdupv ((GStrv) strv);
}

/* The demo's own promotions, so that a demo sale shows each kind the
 * cashier meets most: 第二件半价 on tea drinks, 任选3件10元 on snacks, 满减 in
 * two tiers on the whole sale, a brand's 8折, a gift with milk, an evening
 * happy hour on fruit and vegetables, and two coupons. Those naming products
 * the store does not have (a very small demo) are left out. The first
 * products of the catalog (water, soda, noodles) carry none of them but
 * 满减, so that a sale of a few of them costs what their prices say. */
static gboolean
add_promotions (Demo *demo, TillStore *store, GError **error)
{
  g_autoptr (GPtrArray) promotions =
      g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);
  TillPromotion *promotion;

  promotion =
      till_promotion_new (TILL_DEMO_PROMOTION_DRINKS, "茶饮料第二件半价", TILL_PROMOTION_NTH_ITEM);
  promotion->priority = 20;
  promotion->categories = strv_of ("DRINK-TEA");
  promotion->nth_item = 2;
  promotion->percent_bp = 5000;
  g_ptr_array_add (promotions, promotion);

  promotion = till_promotion_new (TILL_DEMO_PROMOTION_SNACKS, "零食任选3件10元",
                                  TILL_PROMOTION_MIX_AND_MATCH);
  promotion->priority = 20;
  promotion->skus = skus_for_names (demo, demo_snack_deal, G_N_ELEMENTS (demo_snack_deal));
  promotion->mix_quantity = 3;
  promotion->mix_price = 1000;
  g_ptr_array_add (promotions, promotion);

  promotion = till_promotion_new (TILL_DEMO_PROMOTION_SPEND, "满100减10，满200减30",
                                  TILL_PROMOTION_THRESHOLD);
  promotion->priority = 10;
  g_array_append_vals (promotion->tiers, (TillPromotionTier[]){ { 10000, 1000 }, { 20000, 3000 } },
                       2);
  g_ptr_array_add (promotions, promotion);

  promotion =
      till_promotion_new (TILL_DEMO_PROMOTION_BRAND, "德芙巧克力8折", TILL_PROMOTION_PERCENT_OFF);
  promotion->priority = 20;
  promotion->brands = strv_of ("德芙");
  promotion->percent_bp = 2000;
  g_ptr_array_add (promotions, promotion);

  promotion =
      till_promotion_new (TILL_DEMO_PROMOTION_GIFT, "买两盒牛奶赠一包饼干", TILL_PROMOTION_GIFT);
  promotion->priority = 20;
  promotion->skus = skus_for_names (demo, demo_gift_milk, G_N_ELEMENTS (demo_gift_milk));
  promotion->min_quantity = 2 * TILL_QUANTITY_ONE;
  promotion->gift_sku = g_strdup (g_hash_table_lookup (demo->skus_by_name, DEMO_GIFT_BISCUITS));
  promotion->gift_quantity = TILL_QUANTITY_ONE;
  promotion->per_sale_limit = 1;
  g_ptr_array_add (promotions, promotion);

  promotion = till_promotion_new (TILL_DEMO_PROMOTION_HAPPY_HOUR, "果蔬晚市8折（18:00–21:00）",
                                  TILL_PROMOTION_PERCENT_OFF);
  promotion->priority = 20;
  promotion->categories = g_strsplit ("FRESH-FRUIT FRESH-VEG", " ", -1);
  promotion->percent_bp = 2000;
  g_array_append_val (promotion->windows, ((TillPromotionWindow){ 18 * 60, 21 * 60 }));
  g_ptr_array_add (promotions, promotion);

  promotion = till_promotion_new ("DEMO-COUPON-10", "满50减10优惠券", TILL_PROMOTION_COUPON);
  promotion->priority = 5;
  promotion->coupon_code = g_strdup (TILL_DEMO_COUPON);
  promotion->coupon_multi_use = TRUE;
  promotion->amount_off = 1000;
  promotion->min_amount = 5000;
  g_ptr_array_add (promotions, promotion);

  promotion = till_promotion_new ("DEMO-COUPON-WELCOME", "新客立减5元券", TILL_PROMOTION_COUPON);
  promotion->priority = 5;
  promotion->coupon_code = g_strdup (TILL_DEMO_COUPON_WELCOME);
  promotion->coupon_multi_use = FALSE;
  promotion->amount_off = 500;
  g_ptr_array_add (promotions, promotion);

  for (guint i = 0; i < promotions->len; i++)
    {
      promotion = g_ptr_array_index (promotions, i);
      /* Without its products a targeted promotion would apply to every
       * product: leave it out instead. */
      if ((promotion->kind == TILL_PROMOTION_MIX_AND_MATCH && promotion->skus == NULL) ||
          (promotion->kind == TILL_PROMOTION_GIFT &&
           (promotion->skus == NULL || promotion->gift_sku == NULL)))
        continue;
      if (!save_promotion (store, promotion, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
populate (Demo *demo, TillStore *store, guint n_skus, GError **error)
{
  g_autoptr (GArray) packaged = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr (GArray) weighed = g_array_new (FALSE, FALSE, sizeof (Candidate));
  Stream packaged_stream = { packaged, 0 };
  Stream weighed_stream = { weighed, 0 };
  guint  n_weighed = 0;

  g_array_set_clear_func (packaged, candidate_clear);
  g_array_set_clear_func (weighed, candidate_clear);

  if (!add_settings_and_users (store, error) || !add_payments (store, error) ||
      !add_categories (demo, error))
    return FALSE;

  build_packaged_candidates (demo, packaged);
  build_weighed_candidates (demo, weighed);
  order_candidates (demo, packaged);
  order_candidates (demo, weighed);

  for (guint i = 0; i < n_skus; i++)
    {
      /* Interleave so that any prefix of the store has its share of fresh goods. */
      gboolean take_weighed = n_weighed < (guint64) (i + 1) * WEIGHED_PERCENT / 100;

      if (!add_product (demo, i, take_weighed ? &weighed_stream : &packaged_stream, take_weighed,
                        error))
        return FALSE;
      if (take_weighed)
        n_weighed++;
    }
  return add_promotions (demo, store, error);
}

/**
 * till_demo_populate:
 * @n_skus: how many products to make; the well-known ones come first
 * @seed: the seed of the generator: the same seed makes the same catalog
 *
 * Fills an empty store with a demo convenience store, all in one transaction.
 *
 * Returns: %TRUE on success; %FALSE with @error set, the store unchanged
 */
gboolean
till_demo_populate (TillStore *store, guint n_skus, guint32 seed, GError **error)
{
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (GRand) rand = NULL;
  g_autoptr (GHashTable) category_ids = NULL;
  g_autoptr (GHashTable) popular_ranks = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GHashTable) skus_by_name = NULL;
  g_autoptr (GHashTable) brand_codes = NULL;
  GStringChunk *strings;
  gint64        existing;
  gboolean      ok;
  Demo          demo;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  catalog = till_catalog_new (store);
  existing = till_catalog_count_products (catalog, error);
  if (existing < 0)
    return FALSE;
  if (existing > 0)
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The store %s already has %" PRId64
                                " product; the demo fills only an empty store",
                                "The store %s already has %" PRId64
                                " products; the demo fills only an empty store",
                                (unsigned long) existing),
                   till_store_get_path (store), existing);
      return FALSE;
    }

  rand = g_rand_new_with_seed (seed);
  category_ids = g_hash_table_new (g_str_hash, g_str_equal);
  popular_ranks = g_hash_table_new (g_str_hash, g_str_equal);
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  skus_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  brand_codes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  strings = g_string_chunk_new (256);
  for (gsize i = 0; i < G_N_ELEMENTS (demo_popular); i++)
    g_hash_table_insert (popular_ranks, (gpointer) demo_popular[i], GINT_TO_POINTER ((int) i + 1));

  demo = (Demo){
    .catalog = catalog,
    .rand = rand,
    .category_ids = category_ids,
    .popular_ranks = popular_ranks,
    .names = names,
    .skus_by_name = skus_by_name,
    .brand_codes = brand_codes,
    .strings = strings,
    .next_company = 10000 + seed % 1000 * 10,
  };

  if (!till_store_begin (store, error))
    {
      g_string_chunk_free (strings);
      return FALSE;
    }
  ok = populate (&demo, store, n_skus, error) && till_store_commit (store, error);
  if (!ok)
    {
      till_store_rollback (store);
      g_prefix_error (error, _ ("Making the demo store failed: "));
    }
  g_string_chunk_free (strings);
  return ok;
}

/**
 * till_demo_add_members:
 * @store: outside a transaction
 * @journal: the till's journal
 * @key: the member key their personal data is sealed with
 *
 * Registers the demo members through till_member_register(), as the demo
 * manager, each in its own transaction: 陈静 with the member card
 * %TILL_DEMO_MEMBER_CARD, 刘洋 whose birthday is today, 赵敏 who opted out of
 * marketing messages, and three more.
 *
 * Returns: %FALSE with @error set (%TILL_MEMBER_ERROR_EXISTS when a demo
 *   phone is already a member's; the members before it stay registered)
 */
gboolean
till_demo_add_members (TillStore *store, TillJournal *journal, TillMemberKey *key, GError **error)
{
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today_birthday = NULL;
  struct
  {
    const char *phone;
    const char *name;
    const char *birthday;
    const char *card_no;
    gboolean    opt_out;
  } members[] = {
    { "138 0013 8000", "陈静", "1985-03-12", TILL_DEMO_MEMBER_CARD, FALSE },
    { "138 0013 8001", "刘洋", NULL, NULL, FALSE },
    { "138 0013 8002", "赵敏", "1979-10-01", NULL, TRUE },
    { "138 0013 8003", "孙磊", "1992-11-05", NULL, FALSE },
    { "138 0013 8004", "周婷", NULL, NULL, FALSE },
    { "138 0013 8005", "欧阳娜娜", "07-21", NULL, FALSE },
  };

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  manager = till_user_lookup (store, TILL_DEMO_MANAGER_CODE, error);
  if (manager == NULL)
    return FALSE;
  /* 1988 was a leap year, so a demo run on 29 February still has a real date. */
  today_birthday = g_strdup_printf ("1988-%02d-%02d", g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now));
  members[1].birthday = today_birthday;

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autoptr (TillMember) member = NULL;
      TillMemberSpec spec = {
        .phone = members[i].phone,
        .name = members[i].name,
        .birthday = members[i].birthday,
        .card_no = members[i].card_no,
        .opt_out = members[i].opt_out,
      };

      member = till_member_register (store, journal, key, manager, &spec, error);
      if (member == NULL)
        {
          g_prefix_error (error, _ ("Making the demo members failed: "));
          return FALSE;
        }
    }
  return TRUE;
}
