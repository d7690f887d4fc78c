/* till-escpos.h: an ESC/POS encoder for Chinese receipt printers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "till-printer-profile.h"

G_BEGIN_DECLS

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
void
till_escpos_column_image (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height);
void    till_escpos_image (TillEscpos *self, const guint8 *bits, guint width_bytes, guint height);
void    till_escpos_logo (TillEscpos *self);
void    till_escpos_cut (TillEscpos *self);
void    till_escpos_drawer_kick (TillEscpos *self);
void    till_escpos_raw (TillEscpos *self, const guint8 *data, gsize len);
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
