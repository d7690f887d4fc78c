/* till-printer-profile.h: what a receipt printer can do, from its URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_PAPER_58MM, /* 32 columns of font A, 384 dots */
  TILL_PAPER_80MM, /* 48 columns of font A, 576 dots */
} TillPaperWidth;

/* How a QR code gets onto paper (DEVICES.md §1.8, §1.9). */
typedef enum
{
  TILL_QR_NATIVE, /* GS ( k: the printer draws the code */
  TILL_QR_RASTER, /* GS v 0: we draw the code (clones without GS ( k, e.g. ZJ-5870) */
  TILL_QR_COLUMN, /* ESC * 33: 24-dot columns, for printers without GS v 0 either */
} TillQrMode;

/* The bytes text is sent in (DEVICES.md §1.3). Characters the printer's font
 * lacks are substituted by TILL_ESCPOS_REPLACEMENT_CHAR, never sent raw. */
typedef enum
{
  TILL_CHARSET_GBK,     /* GB18030 two-byte area (GBK): never a 4-byte sequence */
  TILL_CHARSET_GB2312,  /* GB2312 font only: lead and trail bytes must be >= 0xA1 */
  TILL_CHARSET_GB18030, /* full GB18030, 4-byte sequences included (Epson -CH models) */
  TILL_CHARSET_BIG5,    /* Big5, for Traditional Chinese */
  TILL_CHARSET_UTF8,    /* UTF-8, Basic Multilingual Plane only */
} TillCharset;

/* How double width and height are sent (DEVICES.md §1.2). */
typedef enum
{
  TILL_STYLE_FS,  /* ESC ! n for ASCII and FS ! n for 汉字: the oldest, widest-supported pair */
  TILL_STYLE_ESC, /* ESC ! n alone: printers that apply it to every character */
  TILL_STYLE_GS,  /* GS ! n: one command for every character */
} TillTextStyle;

/* A logo as a 1-bit raster (MSB = leftmost dot), shared by copies of a profile. */
typedef struct _TillPrinterLogo TillPrinterLogo;

/* What the printer on the other end can do. A plain struct: fill it with
 * till_printer_profile_init(), a preset or a URI, and change fields as the model
 * needs. Only the logo is owned memory: use till_printer_profile_set_logo_png()
 * and till_printer_profile_clear() (or _free() for heap profiles). */
typedef struct
{
  TillPaperWidth   paper;
  guint            columns; /* font A (12 dots) columns of the printable width */
  guint            dots;    /* printable width in dots at 203 dpi */
  TillCharset      charset;
  gboolean         kanji_mode; /* send FS & after ESC @; else leave the power-on mode alone */
  TillTextStyle    style;
  TillQrMode       qr_mode;
  guint            qr_module_size; /* dots per QR module, 1-8 (some clones stop at 8) */
  gboolean         has_cutter;
  TillPrinterLogo *logo; /* NULL: no logo */
} TillPrinterProfile;

#define TILL_PRINTER_PROFILE_ERROR (till_printer_profile_error_quark ())

typedef enum
{
  TILL_PRINTER_PROFILE_ERROR_INVALID, /* an option or value the URI must not have */
  TILL_PRINTER_PROFILE_ERROR_LOGO,    /* the logo file cannot be read as a PNG */
} TillPrinterProfileError;

#define TILL_TYPE_PRINTER_PROFILE (till_printer_profile_get_type ())

GQuark till_printer_profile_error_quark (void);
GType  till_printer_profile_get_type (void) G_GNUC_CONST;
void   till_printer_profile_init (TillPrinterProfile *profile, TillPaperWidth paper);
void   till_printer_profile_set_paper (TillPrinterProfile *profile, TillPaperWidth paper);
void   till_printer_profile_clear (TillPrinterProfile *profile);
TillPrinterProfile *till_printer_profile_new (TillPaperWidth paper) G_GNUC_WARN_UNUSED_RESULT;
TillPrinterProfile *till_printer_profile_copy (const TillPrinterProfile *profile);
void                till_printer_profile_free (TillPrinterProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPrinterProfile, till_printer_profile_free)

/* Named presets for common models; NULL-terminated list of their names. */
const char *const  *till_printer_profile_list_presets (void);
TillPrinterProfile *till_printer_profile_new_preset (const char *name,
                                                     GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The profile a printer URI's query asks for, e.g.
 * usb://0416:5011?profile=pos-5890&encoding=gb2312 or
 * tcp://10.0.0.5:9100?width=80&encoding=big5&qr=raster&logo=/etc/opentill/logo.png */
TillPrinterProfile *till_printer_profile_new_from_uri (const char *uri,
                                                       GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Loads @png_path, scales it down to the paper width if wider, and dithers it to
 * 1 bit (Floyd–Steinberg over white). The raster is kept with the profile. */
gboolean      till_printer_profile_set_logo_png (TillPrinterProfile *profile,
                                                 const char         *png_path,
                                                 GError            **error);
const guint8 *till_printer_profile_get_logo (const TillPrinterProfile *profile,
                                             guint                    *out_width_bytes,
                                             guint                    *out_height);

/* The names used in URIs ("gbk", "raster", …), for diagnostics. */
const char *till_charset_to_string (TillCharset charset);
const char *till_qr_mode_to_string (TillQrMode mode);
const char *till_text_style_to_string (TillTextStyle style);

G_END_DECLS
