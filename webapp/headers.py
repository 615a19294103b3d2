"""The security headers every answer carries, and the stricter ones for the archive's files."""
from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The original files. Downloads: nothing in them may run or be framed. PDFs shown in the
# browser: Chrome's PDF viewer draws its page with inline styles that default-src 'none'
# would block, so only framing is forbidden (nosniff keeps them PDFs).
FILE_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
INLINE_PDF_SECURITY_POLICY = "frame-ancestors 'none'"


def security_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response
