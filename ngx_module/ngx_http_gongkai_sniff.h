/*
 * Attachments: the type is decided by the content, and must agree with
 * the file name's extension.  Only the types the seeds and the issue allow
 * are accepted: pdf, ofd, doc/docx, xls/xlsx, wps, jpg/png, zip.
 */

#ifndef _NGX_HTTP_GONGKAI_SNIFF_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_SNIFF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* longest file name accepted, in bytes */
#define NGX_HTTP_GONGKAI_FILE_NAME_MAX  200


/*
 * Check len bytes of data against the extension of name (pdf ofd doc docx
 * xls xlsx wps jpg jpeg png zip, any case):
 *
 *   pdf        "%PDF-" and a digit at the start
 *   jpg, jpeg  FF D8 FF
 *   png        the 8-byte signature and an IHDR chunk
 *   doc, xls,  an OLE2 compound file (D0 CF 11 E0 A1 B1 1A E1, 512-byte
 *   wps        header, little-endian byte order mark)
 *   zip        a ZIP archive: a local file header at offset 0 and an end
 *              of central directory record that ends the data, every
 *              central directory entry within bounds and agreeing with
 *              its local header; at least one entry; no ZIP64
 *   docx       such a ZIP with "[Content_Types].xml" and entries under
 *              "word/", and no "word/vbaProject.bin" (macros)
 *   xlsx       the same with "xl/" and no "xl/vbaProject.bin"
 *   ofd        such a ZIP with "OFD.xml" (GB/T 33190-2016)
 *
 * Returns NGX_OK with *content_type and *ext (static strings; ext is the
 * extension in lower case, "jpeg" stays "jpeg"), or NGX_DECLINED when
 * the extension is not allowed or the content does not agree with it.
 */
ngx_int_t ngx_http_gongkai_sniff(u_char *name, size_t name_len, u_char *data,
    size_t len, ngx_str_t *content_type, ngx_str_t *ext);

/*
 * A file name as uploaded: valid UTF-8 without control characters, 1 to
 * 200 bytes, no "/" or "\", not starting with ".", with an extension (a
 * "." followed by at least one character).  Returns NGX_OK if acceptable,
 * NGX_DECLINED if not (careful: NGX_OK is 0, test "== NGX_OK").
 */
ngx_int_t ngx_http_gongkai_file_name_ok(u_char *name, size_t len);


#endif /* _NGX_HTTP_GONGKAI_SNIFF_H_INCLUDED_ */
