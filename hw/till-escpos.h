/* till-escpos.h: an ESC/POS encoder for Chinese receipt printers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What the printer on the other end can do. A plain struct: fill it with
 * till_printer_profile_init() and change fields as the model needs. */
typedef enum
{
  TILL_PAPER_58MM, /* 32 columns of font A, 384 dots */
  TILL_PAPER_80MM, /* 48 columns of font A, 576 dots */
} TillPaperWidth;

typedef enum
{
  TILL_QR_NATIVE, /* GS ( k: the printer draws the code */
  TILL_QR_RASTER, /* GS v 0: we draw the code (clones without GS ( k, e.g. ZJ-5870) */
} TillQrMode;

typedef enum
{
  TILL_CHARSET_GBK,    /* GB18030 two-byte area (GBK): lead bytes 0x81-0xFE */
  TILL_CHARSET_GB2312, /* GB2312 font only: lead and trail bytes must be >= 0xA1 */
} TillCharset;

typedef struct
{
  TillPaperWidth paper;
  guint          columns; /* font A (12 dots) columns of the printable width */
  guint          dots;    /* printable width in dots at 203 dpi */
  TillCharset    charset;
  TillQrMode     qr_mode;
  guint          qr_module_size; /* dots per QR module, 1-8 (some clones stop at 8) */
  gboolean       has_cutter;
} TillPrinterProfile;

#define TILL_TYPE_PRINTER_PROFILE (till_printer_profile_get_type ())

GType               till_printer_profile_get_type (void) G_GNUC_CONST;
void                till_printer_profile_init (TillPrinterProfile *profile, TillPaperWidth paper);
TillPrinterProfile *till_printer_profile_new (TillPaperWidth paper) G_GNUC_WARN_UNUSED_RESULT;
TillPrinterProfile *till_printer_profile_copy (const TillPrinterProfile *profile);
void                till_printer_profile_free (TillPrinterProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPrinterProfile, till_printer_profile_free)

typedef enum
{
  TILL_ALIGN_LEFT,
  TILL_ALIGN_CENTER,
  TILL_ALIGN_RIGHT,
} TillAlign;

/* What a character the printer cannot print becomes: a white square, in
 * GB2312 (A1 F5) so every Chinese printer font has it, and two columns wide like
 * the emoji or rare 汉字 it stands for. */
#define TILL_ESCPOS_REPLACEMENT_CHAR 0x25A1 /* □ */

/* The drawer pulse: ESC p 0 25 250 = pin 2, 50 ms on, 500 ms off. */
#define TILL_ESCPOS_DRAWER_KICK "\x1b\x70\x00\x19\xfa"

#define TILL_TYPE_ESCPOS (till_escpos_get_type ())
G_DECLARE_FINAL_TYPE (TillEscpos, till_escpos, TILL, ESCPOS, GObject)

TillEscpos *till_escpos_new (const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;
const TillPrinterProfile *till_escpos_get_profile (TillEscpos *self);
/* Columns a line has with the current character width (halved in double width). */
guint till_escpos_get_columns (TillEscpos *self);

void till_escpos_initialize (TillEscpos *self);
void till_escpos_align (TillEscpos *self, TillAlign align);
void till_escpos_bold (TillEscpos *self, gboolean bold);
void till_escpos_size (TillEscpos *self, gboolean double_width, gboolean double_height);
void till_escpos_text (TillEscpos *self, const char *utf8);
void till_escpos_line (TillEscpos *self, const char *utf8);
void till_escpos_wrapped (TillEscpos *self, const char *utf8);
void till_escpos_row (TillEscpos *self, const char *left, const char *right);
void till_escpos_row3 (TillEscpos *self, const char *left, const char *middle, const char *right);
void till_escpos_separator (TillEscpos *self, char ch);
void till_escpos_feed (TillEscpos *self, guint lines);
void till_escpos_qr (TillEscpos *self, const char *data);
void till_escpos_raster (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height);
void till_escpos_cut (TillEscpos *self);
void till_escpos_drawer_kick (TillEscpos *self);
void till_escpos_raw (TillEscpos *self, const guint8 *data, gsize len);
GBytes *till_escpos_finish (TillEscpos *self) G_GNUC_WARN_UNUSED_RESULT;

/* Text helpers, also used by the receipt layout and the tests. Widths count
 * printer columns: 1 for ASCII, 2 for every double-byte GB character. */
char   *till_escpos_sanitize (const char *utf8, TillCharset charset) G_GNUC_WARN_UNUSED_RESULT;
guint   till_escpos_text_width (const char *utf8);
char   *till_escpos_truncate (const char *utf8, guint columns) G_GNUC_WARN_UNUSED_RESULT;
GStrv   till_escpos_wrap (const char *utf8, guint columns) G_GNUC_WARN_UNUSED_RESULT;
char   *till_escpos_format_row (guint       columns,
                                const char *left,
                                const char *right) G_GNUC_WARN_UNUSED_RESULT;
char   *till_escpos_format_row3 (guint       columns,
                                 const char *left,
                                 const char *middle,
                                 const char *right) G_GNUC_WARN_UNUSED_RESULT;
GBytes *till_escpos_encode_text (const char *utf8, TillCharset charset) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
