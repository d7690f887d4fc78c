/* till-pinyin.c: 拼音首字母, the initials cashiers type to search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-pinyin"

#include "config.h"

#include <string.h>

#include "till-pinyin.h"

/* The CJK Unified Ideographs block: every Han character of GB2312 lies in it. */
#define HAN_FIRST 0x4E00
#define HAN_LAST 0x9FFF

/* GB2312 level-1 hanzi (0xB0A1–0xD7F9) are sorted by pinyin, so the first code of
 * each initial bounds a range. I, U and V begin no Mandarin syllable. */
static const struct
{
  guint16 first_code;
  char    initial;
} level1_bounds[] = {
  { 0xB0A1, 'A' }, { 0xB0C5, 'B' }, { 0xB2C1, 'C' }, { 0xB4EE, 'D' }, { 0xB6EA, 'E' },
  { 0xB7A2, 'F' }, { 0xB8C1, 'G' }, { 0xB9FE, 'H' }, { 0xBBF7, 'J' }, { 0xBFA6, 'K' },
  { 0xC0AC, 'L' }, { 0xC2E8, 'M' }, { 0xC4C3, 'N' }, { 0xC5B6, 'O' }, { 0xC5BE, 'P' },
  { 0xC6DA, 'Q' }, { 0xC8BB, 'R' }, { 0xC8F6, 'S' }, { 0xCBFA, 'T' }, { 0xCDDA, 'W' },
  { 0xCEF4, 'X' }, { 0xD1B9, 'Y' }, { 0xD4D1, 'Z' },
};
#define LEVEL1_END 0xD7F9

/* Characters whose initial cannot come from the level-1 order: GB2312 level-2
 * hanzi (sorted by radical) and characters outside GB2312 that turn up in product
 * names, plus polyphones whose reading in product names differs from the one
 * GB2312 files them under (调 is tiao in 调味/调料/调和油, not diao). */
static const struct
{
  gunichar c;
  char     initial;
} char_table[] = {
  /* Polyphones, as read in product names. */
  { 0x8C03, 'T' }, /* 调 tiao */
  { 0x812F, 'F' }, /* 脯 fu, as in 肉脯 and 果脯 */
  { 0x5F39, 'T' }, /* 弹 tan, as in 弹面 and 弹力 */
  { 0x53C2, 'S' }, /* 参 shen, as in 人参 and 海参 */
  /* GB2312 level 2 (sorted by radical) and characters outside GB2312. */
  { 0x53FD, 'J' }, /* 叽 */
  { 0x5494, 'K' }, /* 咔 */
  { 0x54D4, 'B' }, /* 哔 */
  { 0x5575, 'B' }, /* 啵 */
  { 0x5594, 'W' }, /* 喔 */
  { 0x55B1, 'L' }, /* 喱 */
  { 0x55E6, 'S' }, /* 嗦 */
  { 0x55E8, 'H' }, /* 嗨 */
  { 0x561F, 'D' }, /* 嘟 */
  { 0x565C, 'L' }, /* 噜 */
  { 0x5693, 'C' }, /* 嚓 */
  { 0x5A77, 'T' }, /* 婷 */
  { 0x5B5A, 'F' }, /* 孚 */
  { 0x5D02, 'L' }, /* 崂 */
  { 0x6021, 'Y' }, /* 怡 */
  { 0x675E, 'Q' }, /* 杞 */
  { 0x6777, 'P' }, /* 杷 */
  { 0x6787, 'P' }, /* 枇 */
  { 0x67B8, 'G' }, /* 枸 */
  { 0x67DA, 'Y' }, /* 柚 */
  { 0x6942, 'Z' }, /* 楂 */
  { 0x6984, 'L' }, /* 榄 */
  { 0x699B, 'Z' }, /* 榛 */
  { 0x6A44, 'G' }, /* 橄 */
  { 0x6A58, 'J' }, /* 橘 */
  { 0x6C90, 'M' }, /* 沐 */
  { 0x6CF8, 'L' }, /* 泸 */
  { 0x7096, 'D' }, /* 炖 */
  { 0x709D, 'Q' }, /* 炝 */
  { 0x70AB, 'X' }, /* 炫 */
  { 0x7116, 'M' }, /* 焖 */
  { 0x7117, 'J' }, /* 焗 */
  { 0x7168, 'W' }, /* 煨 */
  { 0x7172, 'B' }, /* 煲 */
  { 0x71C9, 'D' }, /* 燉 */
  { 0x7315, 'M' }, /* 猕 */
  { 0x742A, 'Q' }, /* 琪 */
  { 0x74E0, 'H' }, /* 瓠 */
  { 0x753A, 'T' }, /* 町 */
  { 0x7C7C, 'X' }, /* 籼 */
  { 0x7C91, 'B' }, /* 粑 */
  { 0x7CA2, 'Z' }, /* 粢 */
  { 0x7CBD, 'Z' }, /* 粽 */
  { 0x7CBF, 'G' }, /* 粿 */
  { 0x7CC1, 'S' }, /* 糁 */
  { 0x7CCD, 'C' }, /* 糍 */
  { 0x7CD7, 'Q' }, /* 糗 */
  { 0x80AB, 'Z' }, /* 肫 */
  { 0x80D7, 'Z' }, /* 胗 */
  { 0x8153, 'F' }, /* 腓 */
  { 0x8169, 'N' }, /* 腩 */
  { 0x8171, 'J' }, /* 腱 */
  { 0x81CA, 'S' }, /* 臊 */
  { 0x8299, 'F' }, /* 芙 */
  { 0x82AB, 'Y' }, /* 芫 */
  { 0x82CB, 'X' }, /* 苋 */
  { 0x82F7, 'G' }, /* 苷 */
  { 0x8309, 'M' }, /* 茉 */
  { 0x8317, 'M' }, /* 茗 */
  { 0x8334, 'H' }, /* 茴 */
  { 0x833C, 'T' }, /* 茼 */
  { 0x835E, 'Q' }, /* 荞 */
  { 0x835F, 'H' }, /* 荟 */
  { 0x8360, 'Q' }, /* 荠 */
  { 0x8378, 'B' }, /* 荸 */
  { 0x837D, 'S' }, /* 荽 */
  { 0x8393, 'M' }, /* 莓 */
  { 0x83B4, 'W' }, /* 莴 */
  { 0x84BF, 'H' }, /* 蒿 */
  { 0x853B, 'K' }, /* 蔻 */
  { 0x858F, 'Y' }, /* 薏 */
  { 0x85B0, 'X' }, /* 薰 */
  { 0x869D, 'H' }, /* 蚝 */
  { 0x86AC, 'X' }, /* 蚬 */
  { 0x86CE, 'L' }, /* 蛎 */
  { 0x86F3, 'S' }, /* 蛳 */
  { 0x870A, 'L' }, /* 蜊 */
  { 0x8783, 'P' }, /* 螃 */
  { 0x87A8, 'M' }, /* 螨 */
  { 0x8C47, 'J' }, /* 豇 */
  { 0x8C49, 'C' }, /* 豉 */
  { 0x8C5A, 'T' }, /* 豚 */
  { 0x914A, 'D' }, /* 酊 */
  { 0x9169, 'M' }, /* 酩 */
  { 0x916F, 'Z' }, /* 酯 */
  { 0x9170, 'X' }, /* 酰 */
  { 0x917D, 'Y' }, /* 酽 */
  { 0x9185, 'P' }, /* 醅 */
  { 0x91AA, 'L' }, /* 醪 */
  { 0x9502, 'L' }, /* 锂 */
  { 0x9968, 'T' }, /* 饨 */
  { 0x9974, 'Y' }, /* 饴 */
  { 0x9978, 'H' }, /* 饸 */
  { 0x9979, 'L' }, /* 饹 */
  { 0x997D, 'B' }, /* 饽 */
  { 0x9984, 'H' }, /* 馄 */
  { 0x998D, 'M' }, /* 馍 */
  { 0x9993, 'S' }, /* 馓 */
  { 0x9995, 'N' }, /* 馕 */
  { 0x9C7F, 'Y' }, /* 鱿 */
  { 0x9C85, 'B' }, /* 鲅 */
  { 0x9C88, 'L' }, /* 鲈 */
  { 0x9C91, 'G' }, /* 鲑 */
  { 0x9CA2, 'L' }, /* 鲢 */
  { 0x9CAB, 'J' }, /* 鲫 */
  { 0x9CAD, 'Q' }, /* 鲭 */
  { 0x9CB3, 'C' }, /* 鲳 */
  { 0x9CB6, 'N' }, /* 鲶 */
  { 0x9CB7, 'D' }, /* 鲷 */
  { 0x9CBD, 'D' }, /* 鲽 */
  { 0x9CC5, 'Q' }, /* 鳅 */
  { 0x9CCA, 'B' }, /* 鳊 */
  { 0x9CCE, 'T' }, /* 鳎 */
  { 0x9CD5, 'X' }, /* 鳕 */
  { 0x9CD7, 'M' }, /* 鳗 */
  { 0x9CD9, 'Y' }, /* 鳙 */
  { 0x9CDC, 'G' }, /* 鳜 */
  { 0x9CDD, 'S' }, /* 鳝 */
  { 0x9CDF, 'Z' }, /* 鳟 */
  { 0x9E4C, 'A' }, /* 鹌 */
  { 0x9E51, 'C' }, /* 鹑 */
  { 0x9E92, 'Q' }, /* 麒 */
  { 0x9E9F, 'L' }, /* 麟 */
  { 0x9EB8, 'F' }, /* 麸 */
};

/* Words whose characters read differently than alone. Checked only where the
 * first character matches, so they cost next to nothing. */
static const struct
{
  const char *word;
  const char *initials;
} word_table[] = {
  { "重庆", "CQ" }, { "银行", "YH" }, { "咖喱", "GL" },
  { "雪茄", "XJ" }, { "大厦", "DS" }, { "长沙", "CS" },
};

static char
initial_for_gb2312 (guint code)
{
  char initial = 0;

  if (code < level1_bounds[0].first_code || code > LEVEL1_END)
    return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (level1_bounds); i++)
    {
      if (code < level1_bounds[i].first_code)
        break;
      initial = level1_bounds[i].initial;
    }
  return initial;
}

/* Converts each Han character once to GB2312 and records its initial, so that
 * taking the initials of a name is a table lookup per character: the demo
 * generator does it 300,000 times. */
static gpointer
build_table (gpointer data)
{
  guint8 *table = g_malloc0 (HAN_LAST - HAN_FIRST + 1);
  GIConv  conv = g_iconv_open ("GB2312", "UTF-8");

  if (conv == (GIConv) -1)
    g_critical ("No GB2312 converter: pinyin initials of Han characters are unavailable");
  else
    {
      for (gunichar c = HAN_FIRST; c <= HAN_LAST; c++)
        {
          char  utf8[8];
          char  gb[8];
          char *in = utf8;
          char *out = gb;
          gsize in_left = g_unichar_to_utf8 (c, utf8);
          gsize out_left = sizeof gb;

          /* Characters outside GB2312 fail to convert: they simply get no initial
           * unless char_table knows them. Reset the state after each failure. */
          if (g_iconv (conv, &in, &in_left, &out, &out_left) == (gsize) -1 ||
              sizeof gb - out_left != 2)
            {
              g_iconv (conv, NULL, NULL, NULL, NULL);
              continue;
            }
          table[c - HAN_FIRST] =
              (guint8) initial_for_gb2312 (((guint) (guchar) gb[0] << 8) | (guchar) gb[1]);
        }
      g_iconv_close (conv);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (char_table); i++)
    table[char_table[i].c - HAN_FIRST] = (guint8) char_table[i].initial;

  return table;
}

static const guint8 *
get_table (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, build_table, NULL);
}

/**
 * till_pinyin_initials:
 * @utf8: a product name or search text
 *
 * Returns: (transfer full): the upper-case initials of each Han character,
 *   ASCII letters and digits upper-cased (full-width ones too), everything else
 *   dropped: "可口可乐500ml" → "KKKL500ML"
 */
char *
till_pinyin_initials (const char *utf8)
{
  const guint8 *table;
  char         *result;
  char         *out;
  const char   *p;

  g_return_val_if_fail (utf8 != NULL, NULL);

  table = get_table ();
  /* Each output character comes from at least one input byte. */
  result = g_malloc (strlen (utf8) + 1);
  out = result;

  for (p = utf8; *p != '\0';)
    {
      guchar   byte = (guchar) *p;
      gunichar c;

      if (byte < 0x80)
        {
          if (g_ascii_isalnum (byte))
            *out++ = g_ascii_toupper (byte);
          p++;
          continue;
        }

      c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: skip the byte rather than give up on the whole name. */
          p++;
          continue;
        }

      if (c >= HAN_FIRST && c <= HAN_LAST)
        {
          gboolean matched_word = FALSE;

          for (gsize i = 0; i < G_N_ELEMENTS (word_table); i++)
            {
              gsize word_length = strlen (word_table[i].word);

              if (strncmp (p, word_table[i].word, word_length) == 0)
                {
                  gsize n = strlen (word_table[i].initials);

                  memcpy (out, word_table[i].initials, n);
                  out += n;
                  p += word_length;
                  matched_word = TRUE;
                  break;
                }
            }
          if (matched_word)
            continue;
          if (table[c - HAN_FIRST] != 0)
            *out++ = (char) table[c - HAN_FIRST];
        }
      else if (c >= 0xFF10 && c <= 0xFF19)
        *out++ = (char) ('0' + (c - 0xFF10)); /* full-width digits */
      else if (c >= 0xFF21 && c <= 0xFF3A)
        *out++ = (char) ('A' + (c - 0xFF21)); /* full-width capitals */
      else if (c >= 0xFF41 && c <= 0xFF5A)
        *out++ = (char) ('A' + (c - 0xFF41)); /* full-width small letters */

      p = g_utf8_next_char (p);
    }
  *out = '\0';
  return result;
}
