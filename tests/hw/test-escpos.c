/* test-escpos.c: tests for hw/till-escpos.c, byte for byte against DEVICES.md §1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-escpos.h"
#include "till-test-util.h"

static TillEscpos *
new_encoder (TillPaperWidth paper)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (paper);

  return till_escpos_new (profile);
}

static void
assert_bytes (GBytes *bytes, const guint8 *expected, gsize expected_len)
{
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (len != expected_len || memcmp (data, expected, len) != 0)
    {
      g_autoptr (GString) got = g_string_new (NULL);

      for (gsize i = 0; i < len; i++)
        g_string_append_printf (got, "%02X ", data[i]);
      ck_abort_msg ("Bytes differ (got %zu, expected %zu): %s", len, expected_len, got->str);
    }
}

#define ASSERT_BYTES(bytes, ...)                         \
  G_STMT_START                                           \
  {                                                      \
    const guint8 expected_[] = { __VA_ARGS__ };          \
    assert_bytes ((bytes), expected_, sizeof expected_); \
  }                                                      \
  G_STMT_END

static gboolean
contains (GBytes *bytes, const guint8 *needle, gsize needle_len)
{
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* /hw/escpos/commands */

START_TEST (test_initialize)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_initialize (pos);
  bytes = till_escpos_finish (pos);
  /* ESC @, then FS & because ESC @ may leave Chinese mode. */
  ASSERT_BYTES (bytes, 0x1b, 0x40, 0x1c, 0x26);
}
END_TEST

START_TEST (test_align)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_align (pos, TILL_ALIGN_RIGHT);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  bytes = till_escpos_finish (pos);
  ASSERT_BYTES (bytes, 0x1b, 0x61, 0x01, 0x1b, 0x61, 0x02, 0x1b, 0x61, 0x00);
}
END_TEST

START_TEST (test_bold)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_bold (pos, TRUE);
  till_escpos_bold (pos, FALSE);
  bytes = till_escpos_finish (pos);
  ASSERT_BYTES (bytes, 0x1b, 0x45, 0x01, 0x1b, 0x45, 0x00);
}
END_TEST

START_TEST (test_size)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_size (pos, TRUE, TRUE);
  ck_assert_uint_eq (till_escpos_get_columns (pos), 24);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, FALSE);
  till_escpos_size (pos, FALSE, FALSE);
  ck_assert_uint_eq (till_escpos_get_columns (pos), 48);
  bytes = till_escpos_finish (pos);
  /* ESC ! for ASCII and FS ! for 汉字 (DEVICES.md §1.2); ESC ! keeps the bold bit. */
  ASSERT_BYTES (bytes, 0x1b, 0x21, 0x30, 0x1c, 0x21, 0x0c, /* double width and height */
                0x1b, 0x45, 0x01,                          /* bold */
                0x1b, 0x21, 0x28, 0x1c, 0x21, 0x04,        /* double width, bold kept */
                0x1b, 0x21, 0x08, 0x1c, 0x21, 0x00);       /* normal size, bold kept */
}
END_TEST

START_TEST (test_qr_native)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_qr (pos, "OT1|T01");
  bytes = till_escpos_finish (pos);
  /* DEVICES.md §1.9: model 2, module size 6 (80 mm profile), level M, store
   * k = 7 bytes (pL = 10), print. */
  ASSERT_BYTES (bytes, 0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, 0x1d, 0x28, 0x6b, 0x03,
                0x00, 0x31, 0x43, 0x06, 0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31, 0x1d, 0x28,
                0x6b, 0x0a, 0x00, 0x31, 0x50, 0x30, 'O', 'T', '1', '|', 'T', '0', '1', 0x1d, 0x28,
                0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);
}
END_TEST

START_TEST (test_qr_native_long)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  char         payload[301];
  const guint8 store[] = { 0x1d, 0x28, 0x6b, 0x2f, 0x01, 0x31, 0x50, 0x30 }; /* 303 = 0x12F */
  const guint8 size[] = { 0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x05 };

  memset (payload, 'A', 300);
  payload[300] = '\0';
  till_escpos_qr (pos, payload);
  bytes = till_escpos_finish (pos);
  ck_assert (contains (bytes, store, sizeof store));
  ck_assert (contains (bytes, size, sizeof size));
  ck_assert_uint_eq (g_bytes_get_size (bytes), 9 + 8 + 8 + 8 + 300 + 8);
}
END_TEST

START_TEST (test_qr_raster)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const guint8  gs_k[] = { 0x1d, 0x28, 0x6b };
  const guint8 *data;
  gsize         len;
  guint         width_bytes, rows;

  profile->qr_mode = TILL_QR_RASTER;
  profile->qr_module_size = 4;
  pos = till_escpos_new (profile);
  till_escpos_qr (pos, "134526789012345678");
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  ck_assert (!contains (bytes, gs_k, sizeof gs_k));
  ck_assert_uint_ge (len, 8);
  ck_assert_int_eq (memcmp (data, "\x1d\x76\x30\x00", 4), 0);
  width_bytes = data[4] | (data[5] << 8);
  rows = data[6] | (data[7] << 8);
  /* Version 1 (21×21 modules, TESTING.md §5) at 4 dots a module. */
  ck_assert_uint_eq (rows, 21 * 4);
  ck_assert_uint_eq (width_bytes, (21 * 4 + 7) / 8);
  ck_assert_uint_eq (len, 8 + (gsize) width_bytes * rows);
  /* The top-left finder pattern: the first row starts with 7 dark modules. */
  ck_assert_uint_eq (data[8], 0xff);
  ck_assert_uint_eq (data[9], 0xff);
  ck_assert_uint_eq (data[10], 0xff);
  ck_assert_uint_eq (data[11] & 0xf0, 0xf0);
}
END_TEST

START_TEST (test_cut)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);
  g_autoptr (TillEscpos) no_cutter = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) fed = NULL;

  till_escpos_cut (pos);
  bytes = till_escpos_finish (pos);
  ASSERT_BYTES (bytes, 0x1d, 0x56, 0x42, 0x00);

  profile->has_cutter = FALSE;
  no_cutter = till_escpos_new (profile);
  till_escpos_cut (no_cutter);
  fed = till_escpos_finish (no_cutter);
  ASSERT_BYTES (fed, 0x1b, 0x64, 0x05);
}
END_TEST

START_TEST (test_drawer)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_drawer_kick (pos);
  bytes = till_escpos_finish (pos);
  /* Pin 2, 25 × 2 = 50 ms on, 250 × 2 = 500 ms off. */
  ASSERT_BYTES (bytes, 0x1b, 0x70, 0x00, 0x19, 0xfa);
}
END_TEST

START_TEST (test_feed_separator)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize         len;

  till_escpos_feed (pos, 3);
  till_escpos_separator (pos, '-');
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  ck_assert_uint_eq (len, 3 + 32 + 1);
  ck_assert_int_eq (memcmp (data, "\x1b\x64\x03", 3), 0);
  for (gsize i = 3; i < 35; i++)
    ck_assert_uint_eq (data[i], '-');
  ck_assert_uint_eq (data[35], '\n');
}
END_TEST

START_TEST (test_finish_resets)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;

  till_escpos_line (pos, "A");
  first = till_escpos_finish (pos);
  till_escpos_line (pos, "B");
  second = till_escpos_finish (pos);
  ASSERT_BYTES (first, 'A', '\n');
  ASSERT_BYTES (second, 'B', '\n');
}
END_TEST

/* /hw/escpos/text */

START_TEST (test_gb18030_heji)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;

  till_escpos_line (pos, "合计");
  bytes = till_escpos_finish (pos);
  ASSERT_BYTES (bytes, 0xba, 0xcf, 0xbc, 0xc6, 0x0a);
}
END_TEST

START_TEST (test_yen_substituted)
{
  g_autoptr (GBytes) bytes = till_escpos_encode_text ("¥12.50", TILL_CHARSET_GBK);
  g_autofree char *clean = till_escpos_sanitize ("¥12.50", TILL_CHARSET_GBK);
  const guint8     raw_yen[] = { 0x81, 0x30, 0x84, 0x36 };

  /* Not the 4-byte 81 30 84 36 GB18030 gives ¥, but full-width ￥ = A3 A4. */
  ASSERT_BYTES (bytes, 0xa3, 0xa4, '1', '2', '.', '5', '0');
  ck_assert (!contains (bytes, raw_yen, sizeof raw_yen));
  ck_assert_str_eq (clean, "￥12.50");
}
END_TEST

START_TEST (test_four_byte_substituted)
{
  /* An emoji, a CJK Extension B character, a CJK Extension A character and the
   * Unicode replacement character all need 4 GB18030 bytes. */
  g_autoptr (GBytes) bytes = till_escpos_encode_text ("😀𠀀㐀\xef\xbf\xbd", TILL_CHARSET_GBK);
  g_autofree char *clean = till_escpos_sanitize ("苹果😀", TILL_CHARSET_GBK);

  ASSERT_BYTES (bytes, 0xa1, 0xf5, 0xa1, 0xf5, 0xa1, 0xf5, 0xa1, 0xf5);
  ck_assert_str_eq (clean, "苹果□");
  ck_assert_uint_eq (till_escpos_text_width (clean), 6);
}
END_TEST

START_TEST (test_gb2312_profile)
{
  /* 丂 is GBK 81 40: a GB2312-only printer would misparse the lead byte. */
  g_autoptr (GBytes) gbk = till_escpos_encode_text ("丂", TILL_CHARSET_GBK);
  g_autoptr (GBytes) gb2312 = till_escpos_encode_text ("丂合", TILL_CHARSET_GB2312);

  ASSERT_BYTES (gbk, 0x81, 0x40);
  ASSERT_BYTES (gb2312, 0xa1, 0xf5, 0xba, 0xcf);
}
END_TEST

START_TEST (test_controls_dropped)
{
  g_autoptr (GBytes) bytes = till_escpos_encode_text ("a\x01"
                                                      "b\x10\x04"
                                                      "c\x1b@d\r\xe2\x80\x8b"
                                                      "e\n",
                                                      TILL_CHARSET_GBK);

  /* The ESC byte goes, so "@" is only text; a zero-width space goes too. */
  ASSERT_BYTES (bytes, 'a', 'b', 'c', '@', 'd', 'e', '\n');
}
END_TEST

START_TEST (test_invalid_utf8)
{
  g_autoptr (GBytes) bytes = till_escpos_encode_text ("a\xff\xfe"
                                                      "b",
                                                      TILL_CHARSET_GBK);
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  ck_assert_uint_ge (len, 2);
  ck_assert_uint_eq (data[0], 'a');
  ck_assert_uint_eq (data[len - 1], 'b');
  for (gsize i = 1; i + 1 < len; i += 2)
    ck_assert (data[i] >= 0xa1);
}
END_TEST

static char *
random_text (GRand *rand, guint max_chars, gboolean any_bmp)
{
  static const char *const hanzi[] = { "合", "计", "苹", "果", "牛", "奶", "矿", "泉", "水",
                                       "￥", "×",  "·",  "康", "师", "傅", "鲜", "肉", "包" };
  GString                 *str = g_string_new (NULL);
  guint                    n = g_rand_int_range (rand, 0, (gint32) max_chars + 1);

  for (guint i = 0; i < n; i++)
    {
      int kind = g_rand_int_range (rand, 0, any_bmp ? 4 : 3);

      if (kind == 0)
        g_string_append_c (str, (char) g_rand_int_range (rand, 0x20, 0x7f));
      else if (kind == 1)
        g_string_append (str, hanzi[g_rand_int_range (rand, 0, G_N_ELEMENTS (hanzi))]);
      else if (kind == 2)
        g_string_append_c (str, ' ');
      else
        {
          gunichar ch = g_rand_int_range (rand, 1, 0x30000);

          if (g_unichar_validate (ch))
            g_string_append_unichar (str, ch);
        }
    }
  return g_string_free (str, FALSE);
}

START_TEST (test_no_dle_eot_in_text)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261122);

  for (guint round = 0; round < 500; round++)
    {
      g_autofree char *text = random_text (rand, 40, TRUE);
      g_autoptr (GBytes) bytes = till_escpos_encode_text (text, TILL_CHARSET_GBK);
      gsize         len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      for (gsize i = 0; i < len; i++)
        {
          /* No control byte at all but LF, so never DLE EOT (10 04) or ESC. */
          ck_assert_msg (data[i] >= 0x20 || data[i] == '\n', "byte %02X in text", data[i]);
          if (data[i] >= 0x81)
            {
              /* A GBK pair: lead 81-FE, trail 40-FE but not 7F; never 4 bytes. */
              ck_assert_uint_lt (i + 1, len);
              ck_assert (data[i] <= 0xfe);
              ck_assert (data[i + 1] >= 0x40 && data[i + 1] <= 0xfe && data[i + 1] != 0x7f);
              i++;
            }
        }
    }
}
END_TEST

/* /hw/escpos/layout */

START_TEST (test_width)
{
  ck_assert_uint_eq (till_escpos_text_width ("abc"), 3);
  ck_assert_uint_eq (till_escpos_text_width ("合计"), 4);
  ck_assert_uint_eq (till_escpos_text_width ("2×3.50"), 7);
  ck_assert_uint_eq (till_escpos_text_width ("￥9"), 3);
  ck_assert_uint_eq (till_escpos_text_width (""), 0);
}
END_TEST

START_TEST (test_truncate)
{
  g_autofree char *a = till_escpos_truncate ("农夫山泉550ml", 5);
  g_autofree char *b = till_escpos_truncate ("农夫山泉550ml", 9);
  g_autofree char *c = till_escpos_truncate ("ab", 9);

  /* 5 columns hold two 汉字: the third would be split, so it goes. */
  ck_assert_str_eq (a, "农夫");
  ck_assert_str_eq (b, "农夫山泉5");
  ck_assert_str_eq (c, "ab");
}
END_TEST

START_TEST (test_row)
{
  g_autofree char *row = till_escpos_format_row (32, "合计", "￥25.80");
  g_autofree char *narrow = till_escpos_format_row (10, "康师傅红烧牛肉面", "12.50");
  g_autofree char *row3 = till_escpos_format_row3 (48, "可口可乐", "2", "7.00");

  ck_assert_str_eq (row, "合计                     ￥25.80");
  ck_assert_uint_eq (till_escpos_text_width (row), 32);
  ck_assert_str_eq (narrow, "康师 12.50");
  ck_assert_uint_eq (till_escpos_text_width (row3), 48);
  ck_assert (g_str_has_suffix (row3, "           2        7.00"));
  ck_assert (g_str_has_prefix (row3, "可口可乐 "));
}
END_TEST

START_TEST (test_row_in_double_width)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  gsize         len;
  const guint8 *data;

  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_row (pos, "合计", "9.90");
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  /* 6 bytes of size commands, then 16 columns (4 + 8 spaces + 4) and LF. */
  ck_assert_uint_eq (len, 6 + 16 + 1);
  ck_assert_int_eq (memcmp (data + 6, "\xba\xcf\xbc\xc6        9.90\n", 17), 0);
}
END_TEST

START_TEST (test_wrap)
{
  g_auto (GStrv) chinese = till_escpos_wrap ("康师傅红烧牛肉面五连包", 9);
  g_auto (GStrv) latin = till_escpos_wrap ("Coca Cola Zero Sugar 330ml", 12);

  ck_assert_uint_eq (g_strv_length (chinese), 3);
  ck_assert_str_eq (chinese[0], "康师傅红");
  ck_assert_str_eq (chinese[1], "烧牛肉面");
  ck_assert_str_eq (chinese[2], "五连包");
  ck_assert_str_eq (latin[0], "Coca Cola");
  ck_assert_str_eq (latin[1], "Zero Sugar");
  ck_assert_str_eq (latin[2], "330ml");
}
END_TEST

START_TEST (test_wrap_chinese_punctuation)
{
  g_auto (GStrv) footer = till_escpos_wrap ("谢谢惠顾，欢迎再次光临！凭小票七日内可退换", 32);
  g_auto (GStrv) name = till_escpos_wrap ("好邻居便利店（中关村店）", 16);
  g_auto (GStrv) comma = till_escpos_wrap ("一二三四五六七八，九十", 16);

  /* After the exclamation mark, not inside 七日. */
  ck_assert_str_eq (footer[0], "谢谢惠顾，欢迎再次光临！");
  ck_assert_str_eq (footer[1], "凭小票七日内可退换");
  /* Before the opening bracket. */
  ck_assert_str_eq (name[0], "好邻居便利店");
  ck_assert_str_eq (name[1], "（中关村店）");
  /* A comma never starts a line: the character before it comes along. */
  ck_assert_str_eq (comma[0], "一二三四五六七");
  ck_assert_str_eq (comma[1], "八，九十");
}
END_TEST

static char *
strip_spaces (const char *text)
{
  GString *str = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (str, *p);
  return g_string_free (str, FALSE);
}

/* Property: over random mixes of ASCII and 汉字, rows are exactly as wide as the
 * paper and wrapped lines never wider, for 58 and 80 mm. */
START_TEST (test_layout_property)
{
  const guint widths[] = { 32, 48 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    for (guint round = 0; round < 2000; round++)
      {
        guint            columns = widths[w];
        g_autofree char *left = random_text (rand, 40, FALSE);
        g_autofree char *middle = random_text (rand, 6, FALSE);
        g_autofree char *right = random_text (rand, 12, FALSE);
        g_autofree char *row = till_escpos_format_row (columns, left, right);
        g_autofree char *row3 = till_escpos_format_row3 (columns, left, middle, right);
        g_auto (GStrv) lines = till_escpos_wrap (left, columns);
        g_autofree char *joined = NULL;
        g_autofree char *joined_bare = NULL;
        g_autofree char *left_bare = NULL;

        ck_assert_msg (g_utf8_validate (row, -1, NULL), "row splits a character");
        ck_assert_uint_eq (till_escpos_text_width (row), columns);
        ck_assert_uint_le (till_escpos_text_width (row3), columns);
        for (guint i = 0; lines[i] != NULL; i++)
          {
            ck_assert (g_utf8_validate (lines[i], -1, NULL));
            ck_assert_uint_le (till_escpos_text_width (lines[i]), columns);
          }
        /* Wrapping loses nothing but spaces at the breaks. */
        joined = g_strjoinv ("", lines);
        joined_bare = strip_spaces (joined);
        left_bare = strip_spaces (left);
        ck_assert_str_eq (joined_bare, left_bare);
      }
}
END_TEST

static Suite *
escpos_suite (void)
{
  Suite *suite = suite_create ("/hw/escpos");
  TCase *commands = tcase_create ("/hw/escpos/commands");
  TCase *text = tcase_create ("/hw/escpos/text");
  TCase *layout = tcase_create ("/hw/escpos/layout");

  tcase_add_test (commands, test_initialize);
  tcase_add_test (commands, test_align);
  tcase_add_test (commands, test_bold);
  tcase_add_test (commands, test_size);
  tcase_add_test (commands, test_qr_native);
  tcase_add_test (commands, test_qr_native_long);
  tcase_add_test (commands, test_qr_raster);
  tcase_add_test (commands, test_cut);
  tcase_add_test (commands, test_drawer);
  tcase_add_test (commands, test_feed_separator);
  tcase_add_test (commands, test_finish_resets);
  suite_add_tcase (suite, commands);

  tcase_add_test (text, test_gb18030_heji);
  tcase_add_test (text, test_yen_substituted);
  tcase_add_test (text, test_four_byte_substituted);
  tcase_add_test (text, test_gb2312_profile);
  tcase_add_test (text, test_controls_dropped);
  tcase_add_test (text, test_invalid_utf8);
  tcase_add_test (text, test_no_dle_eot_in_text);
  suite_add_tcase (suite, text);

  tcase_add_test (layout, test_width);
  tcase_add_test (layout, test_truncate);
  tcase_add_test (layout, test_row);
  tcase_add_test (layout, test_row_in_double_width);
  tcase_add_test (layout, test_wrap);
  tcase_add_test (layout, test_wrap_chinese_punctuation);
  tcase_add_test (layout, test_layout_property);
  suite_add_tcase (suite, layout);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (escpos_suite ());
}
