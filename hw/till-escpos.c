/* till-escpos.c: an ESC/POS encoder for Chinese receipt printers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-escpos"

#include "config.h"

#include <qrencode.h>
#include <string.h>

#include "till-escpos.h"

/* Byte values on the wire (DEVICES.md §1). */
#define ESC 0x1b
#define FS 0x1c
#define GS 0x1d
#define LF 0x0a

/* The largest payload GS ( k stores on Epson and Citizen models (DEVICES.md §1.9). */
#define QR_MAX_PAYLOAD 7089

/* GS v 0 bands: some clones refuse taller images (Cino M230B: 343 rows at most,
 * Citizen: yH <= 8; DEVICES.md §1.8), so we send several. */
#define RASTER_MAX_BAND 256

/* ESC * 33: 24-dot double density, 3 bytes per column, one band per line. */
#define COLUMN_MODE 33
#define COLUMN_BAND 24

struct _TillEscpos
{
  GObject parent_instance;

  TillPrinterProfile profile;
  GByteArray        *buffer;
  GIConv             conv; /* UTF-8 to the profile's charset; -1 for UTF-8 itself */
  gboolean           bold;
  gboolean           double_width;
  gboolean           double_height;
};

G_DEFINE_FINAL_TYPE (TillEscpos, till_escpos, G_TYPE_OBJECT)

/* The converter for @charset: GB18030 for the GB family (GBK and GB2312 are its
 * two-byte subsets, checked byte by byte), Big5, or none for UTF-8. */
static GIConv
open_converter (TillCharset charset)
{
  const char *name;
  GIConv      conv;

  if (charset == TILL_CHARSET_UTF8)
    return (GIConv) -1;
  name = charset == TILL_CHARSET_BIG5 ? "BIG5" : "GB18030";
  conv = g_iconv_open (name, "UTF-8");
  /* glibc always has both; without them no Chinese receipt can be printed. */
  if (conv == (GIConv) -1)
    g_error ("iconv cannot convert UTF-8 to %s", name);
  return conv;
}

static void
close_converter (GIConv conv)
{
  if (conv != (GIConv) -1)
    g_iconv_close (conv);
}

static gboolean
is_private_use (gunichar ch)
{
  return (ch >= 0xE000 && ch <= 0xF8FF) || ch >= 0xF0000;
}

/* What encode_char() found for each BMP character, per charset: iconv costs far
 * more than the rest of a receipt, and a till prints the same few thousand 汉字
 * all day. 0 = not looked up yet, CODE_NONE = not printable, CODE_LONG = ask
 * iconv (a 4-byte GB18030 code), else CODE_TWO | the two bytes. Entries are read
 * and written atomically, so encoders on several threads share the table. */
#define CODE_NONE 0xffffffffu
#define CODE_LONG 0x20000u
#define CODE_TWO 0x10000u
#define N_CHARSETS (TILL_CHARSET_UTF8 + 1)

static guint *
code_table (TillCharset charset)
{
  static guint *tables[N_CHARSETS];
  guint        *table = g_atomic_pointer_get (&tables[charset]);

  if (table == NULL)
    {
      guint *fresh = g_new0 (guint, 0x10000);

      /* The table lives as long as the process: the loser of a race frees its own. */
      if (g_atomic_pointer_compare_and_exchange (&tables[charset], NULL, fresh))
        table = fresh;
      else
        {
          g_free (fresh);
          table = g_atomic_pointer_get (&tables[charset]);
        }
    }
  return table;
}

static guint encode_char_uncached (GIConv conv, gunichar ch, TillCharset charset, guint8 out[4]);

/* Encodes one character into at most 4 bytes of @charset. Returns the number of
 * bytes, or 0 when the printer cannot print the character. */
static guint
encode_char (GIConv conv, gunichar ch, TillCharset charset, guint8 out[4])
{
  guint *table;
  guint  code;
  guint  n;

  if (ch >= 0x20 && ch < 0x7f)
    {
      out[0] = (guint8) ch;
      return 1;
    }
  if (charset == TILL_CHARSET_UTF8 || ch > 0xFFFF)
    return encode_char_uncached (conv, ch, charset, out);

  table = code_table (charset);
  code = (guint) g_atomic_int_get ((gint *) &table[ch]);
  if (code == 0)
    {
      n = encode_char_uncached (conv, ch, charset, out);
      code = n == 0 ? CODE_NONE : n == 2 ? CODE_TWO | out[0] << 8 | out[1] : CODE_LONG;
      g_atomic_int_set ((gint *) &table[ch], (gint) code);
      return n;
    }
  if (code == CODE_NONE)
    return 0;
  if (code == CODE_LONG)
    return encode_char_uncached (conv, ch, charset, out);
  out[0] = (guint8) (code >> 8);
  out[1] = (guint8) code;
  return 2;
}

static guint
encode_char_uncached (GIConv conv, gunichar ch, TillCharset charset, guint8 out[4])
{
  char  utf8[6];
  gsize in_left;
  gsize out_left = 4;
  char  encoded[4];
  char *in_ptr = utf8;
  char *out_ptr = encoded;
  gsize n;

  if (ch >= 0x20 && ch < 0x7f)
    {
      out[0] = (guint8) ch;
      return 1;
    }
  if (ch < 0x80 || is_private_use (ch))
    return 0;

  if (charset == TILL_CHARSET_UTF8)
    {
      /* Printer UTF-8 fonts stop at the Basic Multilingual Plane (no emoji). */
      if (ch > 0xFFFF)
        return 0;
      return (guint) g_unichar_to_utf8 (ch, (char *) out);
    }

  in_left = g_unichar_to_utf8 (ch, utf8);
  /* Reset the converter's state so a failed character never poisons the next. */
  g_iconv (conv, NULL, NULL, NULL, NULL);
  if (g_iconv (conv, &in_ptr, &in_left, &out_ptr, &out_left) == (gsize) -1)
    return 0;
  n = 4 - out_left;
  /* A 4-byte sequence lies outside GBK: most Chinese printers only have the
   * 2-byte areas (DEVICES.md §1.3); only a full GB18030 font takes it. */
  if (n == 4 && charset == TILL_CHARSET_GB18030)
    {
      memcpy (out, encoded, 4);
      return 4;
    }
  if (n != 2)
    return 0;
  /* GB2312-only fonts read every byte below A1 as a single ASCII-like byte. */
  if (charset == TILL_CHARSET_GB2312 && ((guint8) encoded[0] < 0xa1 || (guint8) encoded[1] < 0xa1))
    return 0;
  out[0] = (guint8) encoded[0];
  out[1] = (guint8) encoded[1];
  return 2;
}

/* The one place that decides what a character becomes on paper. Appends the
 * printable UTF-8 to out_utf8 and/or its bytes in @charset to out_bytes. Newlines
 * are kept as LF; other control and format characters are dropped. */
static void
convert_text (
    GIConv conv, const char *utf8, TillCharset charset, GString *out_utf8, GByteArray *out_bytes)
{
  g_autofree char *repaired = NULL;
  const char      *valid = utf8;

  if (!g_utf8_validate (utf8, -1, NULL))
    valid = repaired = g_utf8_make_valid (utf8, -1);

  for (const char *p = valid; *p != '\0';)
    {
      gunichar     ch;
      guint8       bytes[4];
      guint        n;
      GUnicodeType type;

      /* Printable ASCII, most of a receipt, goes through as it is. */
      if ((guchar) *p >= 0x20 && (guchar) *p < 0x7f)
        {
          const char *run = p;

          while ((guchar) *p >= 0x20 && (guchar) *p < 0x7f)
            p++;
          if (out_utf8 != NULL)
            g_string_append_len (out_utf8, run, p - run);
          if (out_bytes != NULL)
            g_byte_array_append (out_bytes, (const guint8 *) run, (guint) (p - run));
          continue;
        }
      ch = g_utf8_get_char (p);
      p = g_utf8_next_char (p);
      type = g_unichar_type (ch);
      if (ch == '\n')
        {
          if (out_utf8 != NULL)
            g_string_append_c (out_utf8, '\n');
          if (out_bytes != NULL)
            g_byte_array_append (out_bytes, (const guint8 *) "\n", 1);
          continue;
        }
      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT)
        continue;
      /* The half-width yen sign is the classic trap: GB18030 makes it a 4-byte
       * sequence that GBK printer fonts lack. The full-width one is A3 A4. */
      if (ch == 0x00A5)
        ch = 0xFFE5;

      n = encode_char (conv, ch, charset, bytes);
      if (n == 0)
        {
          ch = TILL_ESCPOS_REPLACEMENT_CHAR;
          n = encode_char (conv, ch, charset, bytes);
          g_assert (n >= 2);
        }
      if (out_utf8 != NULL)
        g_string_append_unichar (out_utf8, ch);
      if (out_bytes != NULL)
        g_byte_array_append (out_bytes, bytes, n);
    }
}

static guint
char_width (gunichar ch)
{
  if (ch < 0x80)
    return g_unichar_iscntrl (ch) ? 0 : 1;
  return 2;
}

/* Marks a line should not start with, and marks a line should not end with. */
#define CJK_NO_START "，。、；：！？）》」』】〕”’…"
#define CJK_NO_END "（《「『【〔“‘"

static gboolean
is_one_of (gunichar ch, const char *set)
{
  for (const char *p = set; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) == ch)
      return TRUE;
  return FALSE;
}

/* Where to end @line, which is full, when @next does not fit: the byte offset
 * of the text to carry over to the next line, or -1 to carry nothing. Only
 * breaks in the second half of the line, so no line gets much shorter. */
static gssize
find_cjk_break (GString *line, gunichar next, guint columns)
{
  guint       width = 0;
  gssize      best = -1;
  const char *last_char = NULL;

  if (columns < 8)
    return -1;
  for (const char *p = line->str; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (width >= columns / 2 && is_one_of (ch, CJK_NO_END))
        best = p - line->str;
      width += char_width (ch);
      if (width >= columns / 2 && is_one_of (ch, CJK_NO_START) && *g_utf8_next_char (p) != '\0')
        best = g_utf8_next_char (p) - line->str;
      last_char = p;
    }
  if (best >= 0 && is_one_of (next, CJK_NO_START))
    best = -1; /* the break would leave next, a closing mark, first on the line */
  if (best < 0 && is_one_of (next, CJK_NO_START) && last_char != NULL && last_char != line->str)
    best = last_char - line->str; /* take the last character along with the mark */
  if (best < 0 && last_char != NULL && is_one_of (g_utf8_get_char (last_char), CJK_NO_END) &&
      last_char != line->str)
    best = last_char - line->str; /* an opening bracket goes with what it opens */
  return best;
}

static GString *
pad_spaces (GString *str, guint n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (str, ' ');
  return str;
}

static void
append_bytes (TillEscpos *self, const char *bytes, gsize len)
{
  g_byte_array_append (self->buffer, (const guint8 *) bytes, len);
}

static void
append_print_mode (TillEscpos *self)
{
  /* By default double size is sent as ESC ! for ASCII plus FS ! for 汉字 rather
   * than as one GS !: both are in the oldest ESC/POS and Kanji command sets that
   * every clone implements, whereas GS ! is missing or ignores Kanji on some cheap
   * 58 mm clones. ESC ! also carries the emphasis bit, so we send the current bold
   * state in it and ESC E and ESC ! never disagree ("the last received command
   * wins"). The profile can ask for ESC ! alone or for GS ! instead. */
  guint8 ank =
      (self->bold ? 0x08 : 0) | (self->double_height ? 0x10 : 0) | (self->double_width ? 0x20 : 0);
  guint8 kanji = (self->double_width ? 0x04 : 0) | (self->double_height ? 0x08 : 0);
  guint8 size = (self->double_width ? 0x10 : 0) | (self->double_height ? 0x01 : 0);
  guint8 bytes[] = { ESC, '!', ank, FS, '!', kanji };
  guint8 gs[] = { GS, '!', size };

  switch (self->profile.style)
    {
    case TILL_STYLE_FS:
      g_byte_array_append (self->buffer, bytes, sizeof bytes);
      break;
    case TILL_STYLE_ESC:
      g_byte_array_append (self->buffer, bytes, 3);
      break;
    case TILL_STYLE_GS:
    default:
      g_byte_array_append (self->buffer, gs, sizeof gs);
      break;
    }
}

static void
append_qr_native (TillEscpos *self, const char *data, gsize len)
{
  guint8 module = (guint8) CLAMP (self->profile.qr_module_size, 1, 16);
  gsize  store_len = len + 3;
  guint8 model[] = { GS, '(', 'k', 0x04, 0x00, 0x31, 0x41, 0x32, 0x00 };
  guint8 size[] = { GS, '(', 'k', 0x03, 0x00, 0x31, 0x43, module };
  guint8 level[] = { GS, '(', 'k', 0x03, 0x00, 0x31, 0x45, 0x31 }; /* M: 15 % */
  guint8 store[] = { GS, '(', 'k', store_len & 0xff, store_len >> 8, 0x31, 0x50, 0x30 };
  guint8 print[] = { GS, '(', 'k', 0x03, 0x00, 0x31, 0x51, 0x30 };

  g_byte_array_append (self->buffer, model, sizeof model);
  g_byte_array_append (self->buffer, size, sizeof size);
  g_byte_array_append (self->buffer, level, sizeof level);
  g_byte_array_append (self->buffer, store, sizeof store);
  g_byte_array_append (self->buffer, (const guint8 *) data, len);
  g_byte_array_append (self->buffer, print, sizeof print);
}

/* The QR code drawn by us (libqrencode), as a GS v 0 raster or ESC * columns. */
static void
append_qr_image (TillEscpos *self, const char *data)
{
  QRcode            *code = QRcode_encodeString (data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  guint              module = CLAMP (self->profile.qr_module_size, 1, 16);
  guint              side;
  guint              width_bytes;
  g_autofree guint8 *bits = NULL;

  if (code == NULL)
    {
      g_warning ("Cannot encode a QR code of %zu bytes", strlen (data));
      return;
    }
  side = (guint) code->width * module;
  /* A code wider than the paper would be cut off: use smaller modules. */
  while (side > self->profile.dots && module > 1)
    side = (guint) code->width * --module;
  width_bytes = (side + 7) / 8;
  bits = g_malloc0 ((gsize) width_bytes * side);
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      if (code->data[(y / module) * code->width + x / module] & 1)
        bits[y * width_bytes + x / 8] |= 0x80 >> (x % 8);
  QRcode_free (code);
  till_escpos_image (self, bits, width_bytes, side);
}

/* Text as printed and as the profile's bytes, with the encoder's converter. */
static char *
sanitize (TillEscpos *self, const char *utf8)
{
  GString *out = g_string_sized_new (strlen (utf8) + 8);

  convert_text (self->conv, utf8, self->profile.charset, out, NULL);
  return g_string_free (out, FALSE);
}

static void
till_escpos_finalize (GObject *object)
{
  TillEscpos *self = TILL_ESCPOS (object);

  g_clear_pointer (&self->buffer, g_byte_array_unref);
  close_converter (self->conv);
  till_printer_profile_clear (&self->profile);

  G_OBJECT_CLASS (till_escpos_parent_class)->finalize (object);
}

static void
till_escpos_class_init (TillEscposClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_escpos_finalize;
}

static void
till_escpos_init (TillEscpos *self)
{
  self->buffer = g_byte_array_new ();
  self->conv = (GIConv) -1;
  till_printer_profile_init (&self->profile, TILL_PAPER_80MM);
}

/* The encoder */

/**
 * till_escpos_new:
 * A new, empty byte buffer for a printer described by @profile (copied).
 */
TillEscpos *
till_escpos_new (const TillPrinterProfile *profile)
{
  TillEscpos         *self;
  TillPrinterProfile *copy;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (profile->columns > 0 && profile->dots > 0, NULL);

  self = g_object_new (TILL_TYPE_ESCPOS, NULL);
  /* Keep a copy (sharing the logo raster) in the struct. */
  copy = till_printer_profile_copy (profile);
  self->profile = *copy;
  g_free (copy);
  self->conv = open_converter (self->profile.charset);
  return self;
}

const TillPrinterProfile *
till_escpos_get_profile (TillEscpos *self)
{
  g_return_val_if_fail (TILL_IS_ESCPOS (self), NULL);

  return &self->profile;
}

guint
till_escpos_get_columns (TillEscpos *self)
{
  g_return_val_if_fail (TILL_IS_ESCPOS (self), 0);

  return self->double_width ? self->profile.columns / 2 : self->profile.columns;
}

/**
 * till_escpos_initialize:
 * ESC @ (reset the printer's modes), then FS & (Chinese mode) when the profile
 * has Kanji mode on: ESC @ may reset the code page, so Chinese mode is selected
 * again explicitly. With Kanji mode off the printer keeps its power-on mode
 * (Chinese clones start in Chinese mode; UTF-8 printers need none).
 */
void
till_escpos_initialize (TillEscpos *self)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));

  append_bytes (self, "\x1b\x40\x1c\x26", self->profile.kanji_mode ? 4 : 2);
  self->bold = FALSE;
  self->double_width = FALSE;
  self->double_height = FALSE;
}

void
till_escpos_align (TillEscpos *self, TillAlign align)
{
  guint8 bytes[] = { ESC, 'a', (guint8) align };

  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (align <= TILL_ALIGN_RIGHT);

  g_byte_array_append (self->buffer, bytes, sizeof bytes);
}

void
till_escpos_bold (TillEscpos *self, gboolean bold)
{
  guint8 bytes[] = { ESC, 'E', bold ? 1 : 0 };

  g_return_if_fail (TILL_IS_ESCPOS (self));

  g_byte_array_append (self->buffer, bytes, sizeof bytes);
  self->bold = !!bold;
}

/**
 * till_escpos_size:
 * Double width and/or height for ASCII and 汉字 alike (ESC ! n, then FS ! n).
 */
void
till_escpos_size (TillEscpos *self, gboolean double_width, gboolean double_height)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));

  self->double_width = !!double_width;
  self->double_height = !!double_height;
  append_print_mode (self);
}

/**
 * till_escpos_text:
 * Appends @utf8 in GB18030, with every unprintable character substituted
 * (see till_escpos_sanitize()); "\n" becomes LF.
 */
void
till_escpos_text (TillEscpos *self, const char *utf8)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (utf8 != NULL);

  convert_text (self->conv, utf8, self->profile.charset, NULL, self->buffer);
}

/* The text and LF. */
void
till_escpos_line (TillEscpos *self, const char *utf8)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (utf8 != NULL);

  till_escpos_text (self, utf8);
  append_bytes (self, "\n", 1);
}

/* The text wrapped to the line width, each line ended by LF. */
void
till_escpos_wrapped (TillEscpos *self, const char *utf8)
{
  g_autofree char *clean = NULL;
  g_auto (GStrv) lines = NULL;

  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (utf8 != NULL);

  clean = sanitize (self, utf8);
  lines = till_escpos_wrap (clean, till_escpos_get_columns (self));
  for (guint i = 0; lines[i] != NULL; i++)
    till_escpos_line (self, lines[i]);
}

/* One line: @left truncated as needed, @right flush right. */
void
till_escpos_row (TillEscpos *self, const char *left, const char *right)
{
  g_autofree char *clean_left = NULL;
  g_autofree char *clean_right = NULL;
  g_autofree char *row = NULL;

  g_return_if_fail (TILL_IS_ESCPOS (self));

  clean_left = sanitize (self, left != NULL ? left : "");
  clean_right = sanitize (self, right != NULL ? right : "");
  row = till_escpos_format_row (till_escpos_get_columns (self), clean_left, clean_right);
  till_escpos_line (self, row);
}

/* One line of three columns, see till_escpos_format_row3(). */
void
till_escpos_row3 (TillEscpos *self, const char *left, const char *middle, const char *right)
{
  g_autofree char *clean_left = NULL;
  g_autofree char *clean_middle = NULL;
  g_autofree char *clean_right = NULL;
  g_autofree char *row = NULL;

  g_return_if_fail (TILL_IS_ESCPOS (self));

  clean_left = sanitize (self, left != NULL ? left : "");
  clean_middle = sanitize (self, middle != NULL ? middle : "");
  clean_right = sanitize (self, right != NULL ? right : "");
  row = till_escpos_format_row3 (till_escpos_get_columns (self), clean_left, clean_middle,
                                 clean_right);
  till_escpos_line (self, row);
}

/* A full line of @ch (ASCII), e.g. '-' or '='. */
void
till_escpos_separator (TillEscpos *self, char ch)
{
  guint columns;

  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (ch > 0x20 && ch < 0x7f);

  columns = till_escpos_get_columns (self);
  for (guint i = 0; i < columns; i++)
    g_byte_array_append (self->buffer, (const guint8 *) &ch, 1);
  append_bytes (self, "\n", 1);
}

/* ESC d n: prints the buffer and feeds @lines lines. */
void
till_escpos_feed (TillEscpos *self, guint lines)
{
  guint8 bytes[] = { ESC, 'd', (guint8) MIN (lines, 255) };

  g_return_if_fail (TILL_IS_ESCPOS (self));

  g_byte_array_append (self->buffer, bytes, sizeof bytes);
}

/**
 * till_escpos_qr:
 * A QR code (model 2, error level M) of @data, by GS ( k, as a GS v 0 raster
 * or as ESC * columns, depending on the profile. Starts and ends on a fresh line.
 */
void
till_escpos_qr (TillEscpos *self, const char *data)
{
  gsize len;

  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (data != NULL);
  len = strlen (data);
  g_return_if_fail (len > 0 && len <= QR_MAX_PAYLOAD);

  if (self->profile.qr_mode == TILL_QR_NATIVE)
    append_qr_native (self, data, len);
  else
    append_qr_image (self, data);
}

/**
 * till_escpos_raster:
 * GS v 0 of a 1-bit image, MSB = leftmost dot, @width_bytes per row, in bands of
 * at most 256 rows. A raster may contain the bytes 10 04 (DLE EOT), which a printer
 * on a serial line executes in real time: the status byte it sends back is
 * harmless, but readers of the line must expect it.
 */
void
till_escpos_raster (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (bits != NULL);
  g_return_if_fail (width_bytes > 0 && width_bytes <= 0xffff);

  for (guint y = 0; y < height; y += RASTER_MAX_BAND)
    {
      guint  band = MIN (RASTER_MAX_BAND, height - y);
      guint8 header[] = { GS,          'v',      '0', 0, width_bytes & 0xff, width_bytes >> 8,
                          band & 0xff, band >> 8 };

      g_byte_array_append (self->buffer, header, sizeof header);
      g_byte_array_append (self->buffer, bits + (gsize) y * width_bytes,
                           (guint) ((gsize) band * width_bytes));
    }
}

/**
 * till_escpos_column_image:
 * The same 1-bit image as till_escpos_raster() takes, sent as ESC * 33 (24-dot
 * double density) bands for printers without GS v 0: ESC 3 24 so bands touch,
 * then per band of 24 rows ESC * 33 nL nH, 3 bytes per column (MSB = top dot)
 * and LF, then ESC 2 (default line spacing). nL nH count dots, width_bytes × 8.
 */
void
till_escpos_column_image (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height)
{
  guint  dots;
  guint8 spacing[] = { ESC, '3', COLUMN_BAND };
  guint8 reset[] = { ESC, '2' };

  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (bits != NULL);
  g_return_if_fail (width_bytes > 0 && width_bytes <= 0xffff / 8);

  dots = width_bytes * 8;
  g_byte_array_append (self->buffer, spacing, sizeof spacing);
  for (guint top = 0; top < height; top += COLUMN_BAND)
    {
      guint8  header[] = { ESC, '*', COLUMN_MODE, dots & 0xff, dots >> 8 };
      guint   start = self->buffer->len;
      guint8 *column;

      g_byte_array_append (self->buffer, header, sizeof header);
      g_byte_array_set_size (self->buffer, start + sizeof header + dots * 3);
      column = self->buffer->data + start + sizeof header;
      memset (column, 0, (gsize) dots * 3);
      for (guint x = 0; x < dots; x++)
        for (guint dy = 0; dy < COLUMN_BAND && top + dy < height; dy++)
          if (bits[(gsize) (top + dy) * width_bytes + x / 8] & (0x80 >> (x % 8)))
            column[x * 3 + dy / 8] |= 0x80 >> (dy % 8);
      append_bytes (self, "\n", 1);
    }
  g_byte_array_append (self->buffer, reset, sizeof reset);
}

/* An image by GS v 0, or by ESC * when the profile says the printer has only
 * column images (its QR mode is TILL_QR_COLUMN). */
void
till_escpos_image (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));

  if (self->profile.qr_mode == TILL_QR_COLUMN)
    till_escpos_column_image (self, bits, width_bytes, height);
  else
    till_escpos_raster (self, bits, width_bytes, height);
}

/* The profile's logo (see till_printer_profile_set_logo_png()), if it has one,
 * as an image; alignment (ESC a) applies. */
void
till_escpos_logo (TillEscpos *self)
{
  const guint8 *bits;
  guint         width_bytes, height;

  g_return_if_fail (TILL_IS_ESCPOS (self));

  bits = till_printer_profile_get_logo (&self->profile, &width_bytes, &height);
  if (bits != NULL)
    till_escpos_image (self, bits, width_bytes, height);
}

/**
 * till_escpos_cut:
 * GS V 66 0: feed to the cutter and cut partially (one point left uncut, so the
 * receipt does not fall). A printer without a cutter gets a feed past the tear bar.
 */
void
till_escpos_cut (TillEscpos *self)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));

  if (self->profile.has_cutter)
    append_bytes (self, "\x1d\x56\x42\x00", 4);
  else
    till_escpos_feed (self, 5);
}

/* ESC p 0 25 250: pin 2, 50 ms on, 500 ms off. */
void
till_escpos_drawer_kick (TillEscpos *self)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));

  append_bytes (self, TILL_ESCPOS_DRAWER_KICK, 5);
}

/* Bytes as they are, for commands this encoder has no call for. */
void
till_escpos_raw (TillEscpos *self, const guint8 *data, gsize len)
{
  g_return_if_fail (TILL_IS_ESCPOS (self));
  g_return_if_fail (data != NULL || len == 0);

  g_byte_array_append (self->buffer, data, (guint) len);
}

/**
 * till_escpos_finish:
 * Returns everything appended so far and starts an empty buffer; the modes the
 * encoder believes the printer is in (bold, size) are kept.
 */
GBytes *
till_escpos_finish (TillEscpos *self)
{
  GByteArray *done;

  g_return_val_if_fail (TILL_IS_ESCPOS (self), NULL);

  done = g_steal_pointer (&self->buffer);
  self->buffer = g_byte_array_new ();
  return g_byte_array_free_to_bytes (done);
}

/* Text helpers */

/**
 * till_escpos_sanitize:
 * @utf8 as it will be printed: ¥ becomes ￥, characters outside the printer's
 * font (not in @charset, 4-byte GB18030 except for TILL_CHARSET_GB18030, private
 * use, beyond the BMP for UTF-8, outside GB2312 for that charset) become
 * TILL_ESCPOS_REPLACEMENT_CHAR, control and format characters other than "\n"
 * are dropped, and invalid UTF-8 is repaired.
 */
char *
till_escpos_sanitize (const char *utf8, TillCharset charset)
{
  GIConv   conv;
  GString *out;

  g_return_val_if_fail (utf8 != NULL, NULL);

  conv = open_converter (charset);
  out = g_string_new (NULL);
  convert_text (conv, utf8, charset, out, NULL);
  close_converter (conv);
  return g_string_free (out, FALSE);
}

/**
 * till_escpos_encode_text:
 * The bytes till_escpos_text() would append for @utf8.
 */
GBytes *
till_escpos_encode_text (const char *utf8, TillCharset charset)
{
  GIConv      conv;
  GByteArray *out;

  g_return_val_if_fail (utf8 != NULL, NULL);

  conv = open_converter (charset);
  out = g_byte_array_new ();
  convert_text (conv, utf8, charset, NULL, out);
  close_converter (conv);
  return g_byte_array_free_to_bytes (out);
}

/**
 * till_escpos_text_width:
 * Printer columns of sanitized text: 1 for ASCII (12-dot ANK cell), 2 for any
 * other character, because in Chinese mode every non-ASCII character is sent as
 * a two-byte code and printed in a 24-dot Kanji cell. This agrees with
 * g_unichar_iswide_cjk() for 汉字 and full-width forms, and is also right for
 * East Asian ambiguous characters such as × and ·, which the printer draws wide.
 */
guint
till_escpos_text_width (const char *utf8)
{
  guint width = 0;

  g_return_val_if_fail (utf8 != NULL, 0);

  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    width += char_width (g_utf8_get_char (p));
  return width;
}

/* The longest prefix of @utf8 that fits in @columns; never splits a character. */
char *
till_escpos_truncate (const char *utf8, guint columns)
{
  guint       width = 0;
  const char *p;

  g_return_val_if_fail (utf8 != NULL, NULL);

  for (p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      guint w = char_width (g_utf8_get_char (p));

      if (width + w > columns)
        break;
      width += w;
    }
  return g_strndup (utf8, p - utf8);
}

/**
 * till_escpos_wrap:
 * Splits @utf8 into lines of at most @columns. 汉字 break anywhere; a Latin word
 * moves to the next line whole when the line has a space to break at. Spaces at
 * a break are dropped. Always at least one (possibly empty) line.
 */
GStrv
till_escpos_wrap (const char *utf8, guint columns)
{
  GPtrArray *lines;
  GString   *line;
  guint      width = 0;

  g_return_val_if_fail (utf8 != NULL, NULL);
  g_return_val_if_fail (columns >= 2, NULL);

  lines = g_ptr_array_new ();
  line = g_string_new (NULL);
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);
      guint    w = char_width (ch);

      if (ch == '\n')
        {
          g_ptr_array_add (lines, g_string_free (line, FALSE));
          line = g_string_new (NULL);
          width = 0;
          continue;
        }
      if (width + w > columns)
        {
          char *space = NULL;

          if (ch < 0x80 && g_ascii_isgraph ((char) ch))
            space = strrchr (line->str, ' ');
          if (ch == ' ')
            {
              g_ptr_array_add (lines, g_string_free (line, FALSE));
              line = g_string_new (NULL);
              width = 0;
              continue;
            }
          if (space != NULL && space != line->str)
            {
              /* Carry the word after the last space over to the next line. */
              g_autofree char *rest = g_strdup (space + 1);

              g_string_truncate (line, space - line->str);
              g_ptr_array_add (lines, g_string_free (line, FALSE));
              line = g_string_new (rest);
              width = till_escpos_text_width (rest);
            }
          else
            {
              /* Chinese line breaking: after a comma or full stop, before an
               * opening bracket, and never with a closing mark first on a line. */
              gssize           cut = find_cjk_break (line, ch, columns);
              g_autofree char *rest = g_strdup (cut >= 0 ? line->str + cut : "");

              if (cut >= 0)
                g_string_truncate (line, cut);
              g_ptr_array_add (lines, g_string_free (line, FALSE));
              line = g_string_new (rest);
              width = till_escpos_text_width (rest);
            }
        }
      if (ch == ' ' && width == 0 && lines->len > 0)
        continue;
      g_string_append_unichar (line, ch);
      width += w;
    }
  if (line->len > 0 || lines->len == 0)
    g_ptr_array_add (lines, g_string_free (line, FALSE));
  else
    g_string_free (line, TRUE);
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (lines, FALSE);
}

/**
 * till_escpos_format_row:
 * A line exactly @columns wide: @left flush left, @right flush right, at least
 * one space between them. @left is truncated to make room; @right is truncated
 * only if it alone is wider than the line.
 */
char *
till_escpos_format_row (guint columns, const char *left, const char *right)
{
  g_autofree char *right_fit = NULL;
  g_autofree char *left_fit = NULL;
  guint            right_width;
  guint            left_width;
  GString         *row;

  g_return_val_if_fail (left != NULL && right != NULL, NULL);

  right_fit = till_escpos_truncate (right, columns);
  right_width = till_escpos_text_width (right_fit);
  if (right_width + 1 < columns)
    left_fit = till_escpos_truncate (left, columns - right_width - (right_width > 0 ? 1 : 0));
  else
    left_fit = g_strdup ("");
  left_width = till_escpos_text_width (left_fit);

  row = g_string_new (left_fit);
  pad_spaces (row, columns - left_width - right_width);
  g_string_append (row, right_fit);
  return g_string_free (row, FALSE);
}

/**
 * till_escpos_format_row3:
 * A line of three columns: @middle and @right flush right in columns a quarter
 * of the line wide (so they line up from row to row), @left in the rest. A
 * middle or right text wider than its column takes room from @left.
 */
char *
till_escpos_format_row3 (guint columns, const char *left, const char *middle, const char *right)
{
  guint            cell = columns / 4;
  g_autofree char *tail = NULL;
  GString         *str;

  g_return_val_if_fail (left != NULL && middle != NULL && right != NULL, NULL);

  str = g_string_new (NULL);
  pad_spaces (str,
              cell > till_escpos_text_width (middle) ? cell - till_escpos_text_width (middle) : 1);
  g_string_append (str, middle);
  pad_spaces (str,
              cell > till_escpos_text_width (right) ? cell - till_escpos_text_width (right) : 1);
  g_string_append (str, right);
  tail = g_string_free (str, FALSE);
  if (till_escpos_text_width (tail) > columns)
    {
      /* Nothing left for the name: give the line to the two numbers. */
      g_autofree char *numbers = g_strdup_printf ("%s %s", middle, right);

      return till_escpos_format_row (columns, "", numbers);
    }
  return till_escpos_format_row (columns, left, tail);
}
