/* test-escpos.c: tests for hw/till-escpos.c, byte for byte against DEVICES.md §1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <qrencode.h>
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

START_TEST (test_initialize_kanji_off)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GBytes) bytes = NULL;

  profile->kanji_mode = FALSE;
  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  bytes = till_escpos_finish (pos);
  /* ESC @ alone: the printer stays in its power-on mode. */
  ASSERT_BYTES (bytes, 0x1b, 0x40);
}
END_TEST

static GBytes *
size_bytes (TillTextStyle style)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = NULL;

  profile->style = style;
  pos = till_escpos_new (profile);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, FALSE, TRUE);
  till_escpos_size (pos, FALSE, FALSE);
  return till_escpos_finish (pos);
}

START_TEST (test_size_styles)
{
  g_autoptr (GBytes) fs = size_bytes (TILL_STYLE_FS);
  g_autoptr (GBytes) esc = size_bytes (TILL_STYLE_ESC);
  g_autoptr (GBytes) gs = size_bytes (TILL_STYLE_GS);

  /* FS: ESC ! n (bit5 double width, bit4 double height, bit3 bold) and FS ! n
   * (bit2 double width, bit3 double height), DEVICES.md §1.2. */
  ASSERT_BYTES (fs, 0x1b, 0x21, 0x30, 0x1c, 0x21, 0x0c, 0x1b, 0x45, 0x01, 0x1b, 0x21, 0x18, 0x1c,
                0x21, 0x08, 0x1b, 0x21, 0x08, 0x1c, 0x21, 0x00);
  /* ESC: ESC ! n only. */
  ASSERT_BYTES (esc, 0x1b, 0x21, 0x30, 0x1b, 0x45, 0x01, 0x1b, 0x21, 0x18, 0x1b, 0x21, 0x08);
  /* GS: GS ! n, width in bits 4-6 and height in bits 0-2 (×2 = 1); bold by ESC E. */
  ASSERT_BYTES (gs, 0x1d, 0x21, 0x11, 0x1b, 0x45, 0x01, 0x1d, 0x21, 0x01, 0x1d, 0x21, 0x00);
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

/* The bits of a QR code of @data at @module dots per module, as the raster
 * would be drawn, made here from libqrencode's matrix (TESTING.md §5). */
static guint8 *
expected_qr_bits (const char *data, guint module, guint *out_width_bytes, guint *out_side)
{
  QRcode *code = QRcode_encodeString (data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  guint   side, width_bytes;
  guint8 *bits;

  ck_assert_ptr_nonnull (code);
  side = (guint) code->width * module;
  width_bytes = (side + 7) / 8;
  bits = g_malloc0 ((gsize) width_bytes * side);
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      if (code->data[(y / module) * code->width + x / module] & 1)
        bits[y * width_bytes + x / 8] |= 0x80 >> (x % 8);
  QRcode_free (code);
  *out_width_bytes = width_bytes;
  *out_side = side;
  return bits;
}

/* Reads ESC 3 24, bands of ESC * 33 nL nH + 3 bytes per column + LF, ESC 2,
 * back into a raster of @dots × @rows (MSB left), checking each header. */
static guint8 *
decode_columns (GBytes *bytes, guint *out_dots, guint *out_rows)
{
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize         pos = 3;
  guint         dots = 0, band = 0;
  GByteArray   *raster = g_byte_array_new ();

  ck_assert_uint_ge (len, 5);
  ck_assert_int_eq (memcmp (data, "\x1b\x33\x18", 3), 0);
  while (pos + 2 <= len && data[pos] == 0x1b && data[pos + 1] == 0x2a)
    {
      guint n, width_bytes;

      ck_assert_uint_ge (len, pos + 5);
      ck_assert_uint_eq (data[pos + 2], 33);
      n = data[pos + 3] | (data[pos + 4] << 8);
      if (dots == 0)
        dots = n;
      ck_assert_uint_eq (n, dots);
      ck_assert_uint_ge (len, pos + 5 + (gsize) n * 3 + 1);
      width_bytes = (dots + 7) / 8;
      g_byte_array_set_size (raster, (band + 1) * 24 * width_bytes);
      memset (raster->data + band * 24 * width_bytes, 0, 24 * width_bytes);
      for (guint x = 0; x < n; x++)
        for (guint dy = 0; dy < 24; dy++)
          if (data[pos + 5 + x * 3 + dy / 8] & (0x80 >> (dy % 8)))
            raster->data[(band * 24 + dy) * width_bytes + x / 8] |= 0x80 >> (x % 8);
      pos += 5 + (gsize) n * 3;
      ck_assert_uint_eq (data[pos], '\n');
      pos++;
      band++;
    }
  ck_assert_uint_eq (len, pos + 2);
  ck_assert_int_eq (memcmp (data + pos, "\x1b\x32", 2), 0);
  *out_dots = dots;
  *out_rows = band * 24;
  return g_byte_array_free (raster, FALSE);
}

/* Rows 0..@rows of @bits (@width_bytes each) equal those of @got (@got_width_bytes
 * each, maybe wider); whatever @got has beyond is white. */
static void
assert_same_picture (const guint8 *bits,
                     guint         width_bytes,
                     guint         rows,
                     const guint8 *got,
                     guint         got_width_bytes,
                     guint         got_rows)
{
  ck_assert_uint_ge (got_width_bytes, width_bytes);
  ck_assert_uint_ge (got_rows, rows);
  for (guint y = 0; y < got_rows; y++)
    for (guint x = 0; x < got_width_bytes * 8; x++)
      {
        gboolean want = y < rows && x < width_bytes * 8 &&
                        (bits[y * width_bytes + x / 8] & (0x80 >> (x % 8))) != 0;
        gboolean have = (got[y * got_width_bytes + x / 8] & (0x80 >> (x % 8))) != 0;

        ck_assert_msg (want == have, "dot %u,%u differs", x, y);
      }
}

START_TEST (test_qr_raster_same_as_libqrencode)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree guint8 *expected = NULL;
  const char        *payload = "OT1|T01|42|20261122093000|7700|0123456789abcdef";
  guint              width_bytes, side;
  const guint8      *data;
  gsize              len;

  profile->qr_mode = TILL_QR_RASTER;
  pos = till_escpos_new (profile);
  till_escpos_qr (pos, payload);
  bytes = till_escpos_finish (pos);
  expected = expected_qr_bits (payload, 6, &width_bytes, &side);
  data = g_bytes_get_data (bytes, &len);
  /* One band (side < 256): GS v 0 m=0 xL xH yL yH, then the dots. */
  ck_assert_uint_lt (side, 256);
  ck_assert_uint_eq (len, 8 + (gsize) width_bytes * side);
  ck_assert_int_eq (memcmp (data, "\x1d\x76\x30\x00", 4), 0);
  ck_assert_uint_eq (data[4], width_bytes & 0xff);
  ck_assert_uint_eq (data[5], width_bytes >> 8);
  ck_assert_uint_eq (data[6], side & 0xff);
  ck_assert_uint_eq (data[7], side >> 8);
  ck_assert_int_eq (memcmp (data + 8, expected, (gsize) width_bytes * side), 0);
}
END_TEST

START_TEST (test_raster_bands)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;
  const guint        width_bytes = 72, rows = 600; /* 576 dots, taller than any band */
  g_autofree guint8 *bits = g_malloc ((gsize) width_bytes * rows);
  const guint        bands[] = { 256, 256, 88 };
  const guint8      *data;
  gsize              len, offset = 0;

  for (gsize i = 0; i < (gsize) width_bytes * rows; i++)
    bits[i] = (guint8) (i * 7 + i / width_bytes);
  till_escpos_raster (pos, bits, width_bytes, rows);
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  /* DEVICES.md §1.8: every band within Cino's 343 rows and Citizen's yH <= 8. */
  for (guint b = 0; b < G_N_ELEMENTS (bands); b++)
    {
      const guint8 header[] = { 0x1d, 0x76, 0x30, 0x00, 72, 0, bands[b] & 0xff, bands[b] >> 8 };

      ck_assert_uint_ge (len, offset + 8 + (gsize) width_bytes * bands[b]);
      ck_assert_int_eq (memcmp (data + offset, header, 8), 0);
      ck_assert_int_eq (memcmp (data + offset + 8, bits + (gsize) (b * 256) * width_bytes,
                                (gsize) width_bytes * bands[b]),
                        0);
      offset += 8 + (gsize) width_bytes * bands[b];
    }
  ck_assert_uint_eq (len, offset);
}
END_TEST

START_TEST (test_column_image_bytes)
{
  g_autoptr (TillEscpos) pos = new_encoder (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  /* 8 dots wide, 26 rows: row y has dot y % 8 set (a diagonal), so two bands
   * of 24, the second holding rows 24 and 25 only. */
  guint8        bits[26];
  const guint8 *data;
  gsize         len;

  for (guint y = 0; y < 26; y++)
    bits[y] = 0x80 >> (y % 8);
  till_escpos_column_image (pos, bits, 1, 26);
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  /* ESC 3 24; ESC * 33 8 0 + 24 bytes + LF, twice; ESC 2. */
  ck_assert_uint_eq (len, 3 + 2 * (5 + 24 + 1) + 2);
  ck_assert_int_eq (memcmp (data, "\x1b\x33\x18\x1b\x2a\x21\x08\x00", 8), 0);
  /* Column 0 has rows 0, 8 and 16: bit 7 of each of its three bytes. */
  ck_assert_uint_eq (data[8], 0x80);
  ck_assert_uint_eq (data[9], 0x80);
  ck_assert_uint_eq (data[10], 0x80);
  /* Column 1 has rows 1, 9, 17. */
  ck_assert_uint_eq (data[11], 0x40);
  ck_assert_uint_eq (data[12], 0x40);
  ck_assert_uint_eq (data[13], 0x40);
  ck_assert_uint_eq (data[8 + 24], '\n');
  ck_assert_int_eq (memcmp (data + 33, "\x1b\x2a\x21\x08\x00", 5), 0);
  /* Second band: row 24 (dot 0) and row 25 (dot 1) in the first byte. */
  ck_assert_uint_eq (data[38], 0x80);
  ck_assert_uint_eq (data[41], 0x40);
  for (guint x = 2; x < 8; x++)
    ck_assert_uint_eq (data[38 + x * 3], 0);
  ck_assert_int_eq (memcmp (data + len - 3, "\n\x1b\x32", 3), 0);
}
END_TEST

START_TEST (test_qr_column_same_picture)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree guint8 *expected = NULL;
  g_autofree guint8 *got = NULL;
  const guint8       gs_v[] = { 0x1d, 0x76, 0x30 };
  const guint8       gs_k[] = { 0x1d, 0x28, 0x6b };
  guint              width_bytes, side, dots, rows;

  profile->qr_mode = TILL_QR_COLUMN;
  pos = till_escpos_new (profile);
  till_escpos_qr (pos, "134526789012345678");
  bytes = till_escpos_finish (pos);
  ck_assert (!contains (bytes, gs_v, sizeof gs_v));
  ck_assert (!contains (bytes, gs_k, sizeof gs_k));
  got = decode_columns (bytes, &dots, &rows);
  expected = expected_qr_bits ("134526789012345678", 5, &width_bytes, &side);
  ck_assert_uint_eq (dots, width_bytes * 8);
  ck_assert_uint_eq (rows, (side + 23) / 24 * 24);
  assert_same_picture (expected, width_bytes, side, got, dots / 8, rows);
}
END_TEST

START_TEST (test_qr_raster_fits_paper)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (TillEscpos) pos = NULL;
  g_autoptr (GBytes) bytes = NULL;
  char          payload[401];
  const guint8 *data;
  gsize         len;
  QRcode       *code;
  guint         modules, rows, fitting = 8;

  /* 400 bytes at level M needs a large version: 8 dots a module would be wider
   * than 384 dots, so the encoder takes the largest module size that fits. */
  memset (payload, 'x', 400);
  payload[400] = '\0';
  code = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  ck_assert_ptr_nonnull (code);
  modules = (guint) code->width;
  QRcode_free (code);
  ck_assert_uint_gt (modules * 8, 384);
  while (modules * fitting > 384)
    fitting--;

  profile->qr_mode = TILL_QR_RASTER;
  profile->qr_module_size = 8;
  pos = till_escpos_new (profile);
  till_escpos_qr (pos, payload);
  bytes = till_escpos_finish (pos);
  data = g_bytes_get_data (bytes, &len);
  /* Two bands (more than 256 rows), each as wide as the shrunk code. */
  rows = 0;
  for (gsize offset = 0; offset < len;)
    {
      guint band_rows = data[offset + 6] | (data[offset + 7] << 8);

      ck_assert_int_eq (memcmp (data + offset, "\x1d\x76\x30\x00", 4), 0);
      ck_assert_uint_eq (data[offset + 4] | (data[offset + 5] << 8), (modules * fitting + 7) / 8);
      rows += band_rows;
      offset += 8 + (gsize) band_rows * ((modules * fitting + 7) / 8);
      ck_assert_uint_le (offset, len);
    }
  ck_assert_uint_eq (rows, modules * fitting);
  ck_assert_uint_le (modules * fitting, 384);
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

/* The same text in every charset, against Python's and glibc's codecs: 合 is in
 * every Chinese charset; 计 (Simplified) is not in Big5; 臺 (Traditional) is
 * GBK but not GB2312; 𠀀 (Extension B) needs 4 GB18030 bytes; ¥ is sent as ￥;
 * € is A2 E3 in GB18030/GBK/GB2312 (the GB2312 symbol row) and A3 E1 in glibc's
 * Big5 (the CP950 euro). */
START_TEST (test_charsets_same_text)
{
  const char *text = "合计臺𠀀¥€";
  g_autoptr (GBytes) gbk = till_escpos_encode_text (text, TILL_CHARSET_GBK);
  g_autoptr (GBytes) gb2312 = till_escpos_encode_text (text, TILL_CHARSET_GB2312);
  g_autoptr (GBytes) gb18030 = till_escpos_encode_text (text, TILL_CHARSET_GB18030);
  g_autoptr (GBytes) big5 = till_escpos_encode_text (text, TILL_CHARSET_BIG5);
  g_autoptr (GBytes) utf8 = till_escpos_encode_text (text, TILL_CHARSET_UTF8);
  g_autofree char *big5_text = till_escpos_sanitize (text, TILL_CHARSET_BIG5);

  /* GBK: 4-byte 𠀀 never sent, □ (A1 F5) instead; € A2 E3 is a 2-byte code. */
  ASSERT_BYTES (gbk, 0xba, 0xcf, 0xbc, 0xc6, 0xc5, 0x5f, 0xa1, 0xf5, 0xa3, 0xa4, 0xa2, 0xe3);
  /* GB2312: 臺 (C5 5F) has a trail byte below A1, so it is substituted. */
  ASSERT_BYTES (gb2312, 0xba, 0xcf, 0xbc, 0xc6, 0xa1, 0xf5, 0xa1, 0xf5, 0xa3, 0xa4, 0xa2, 0xe3);
  /* GB18030: the 4-byte sequence 95 32 82 36 goes out as it is. */
  ASSERT_BYTES (gb18030, 0xba, 0xcf, 0xbc, 0xc6, 0xc5, 0x5f, 0x95, 0x32, 0x82, 0x36, 0xa3, 0xa4,
                0xa2, 0xe3);
  /* Big5: 合 A6 58, 计 □ (A1 BC), 臺 BB 4F, 𠀀 □, ￥ A2 44, € A3 E1. */
  ASSERT_BYTES (big5, 0xa6, 0x58, 0xa1, 0xbc, 0xbb, 0x4f, 0xa1, 0xbc, 0xa2, 0x44, 0xa3, 0xe1);
  ck_assert_str_eq (big5_text, "合□臺□￥€");
  /* UTF-8: the BMP as it is, 𠀀 (beyond it) as □ E2 96 A1, ¥ as ￥ EF BF A5. */
  ASSERT_BYTES (utf8, 0xe5, 0x90, 0x88, 0xe8, 0xae, 0xa1, 0xe8, 0x87, 0xba, 0xe2, 0x96, 0xa1, 0xef,
                0xbf, 0xa5, 0xe2, 0x82, 0xac);
}
END_TEST

START_TEST (test_encoder_uses_profile_charset)
{
  const TillCharset charsets[] = { TILL_CHARSET_GBK, TILL_CHARSET_GB18030, TILL_CHARSET_BIG5,
                                   TILL_CHARSET_UTF8, TILL_CHARSET_GB2312 };

  for (guint i = 0; i < G_N_ELEMENTS (charsets); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
      g_autoptr (TillEscpos) pos = NULL;
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GBytes) text = till_escpos_encode_text ("臺灣 𠀀", charsets[i]);
      g_autoptr (GByteArray) expected = g_byte_array_new ();

      profile->charset = charsets[i];
      pos = till_escpos_new (profile);
      till_escpos_row (pos, "臺灣 𠀀", "ok");
      bytes = till_escpos_finish (pos);
      /* A row pads with spaces to 32 columns: "臺灣 □" (or 𠀀) is 7 wide, "ok" 2. */
      g_byte_array_append (expected, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
      for (guint s = 0; s < 32 - 7 - 2; s++)
        g_byte_array_append (expected, (const guint8 *) " ", 1);
      g_byte_array_append (expected, (const guint8 *) "ok\n", 3);
      assert_bytes (bytes, expected->data, expected->len);
    }
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
  tcase_add_test (commands, test_initialize_kanji_off);
  tcase_add_test (commands, test_size_styles);
  tcase_add_test (commands, test_align);
  tcase_add_test (commands, test_bold);
  tcase_add_test (commands, test_size);
  tcase_add_test (commands, test_qr_native);
  tcase_add_test (commands, test_qr_native_long);
  tcase_add_test (commands, test_qr_raster);
  tcase_add_test (commands, test_qr_raster_same_as_libqrencode);
  tcase_add_test (commands, test_qr_raster_fits_paper);
  tcase_add_test (commands, test_raster_bands);
  tcase_add_test (commands, test_column_image_bytes);
  tcase_add_test (commands, test_qr_column_same_picture);
  tcase_add_test (commands, test_cut);
  tcase_add_test (commands, test_drawer);
  tcase_add_test (commands, test_feed_separator);
  tcase_add_test (commands, test_finish_resets);
  suite_add_tcase (suite, commands);

  tcase_add_test (text, test_gb18030_heji);
  tcase_add_test (text, test_yen_substituted);
  tcase_add_test (text, test_four_byte_substituted);
  tcase_add_test (text, test_gb2312_profile);
  tcase_add_test (text, test_charsets_same_text);
  tcase_add_test (text, test_encoder_uses_profile_charset);
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
