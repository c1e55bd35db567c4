"""PAdES signatures of the archive's PDFs with pyHanko, where the school configures a certificate.

``ARCHIVE_SIGNING_P12`` (a PKCS#12 file) and ``ARCHIVE_SIGNING_PASSWORD`` in the settings (from the environment):
with both set each PDF of the archive is signed (PAdES B-B, an incremental update, so a PDF/A stays PDF/A); without
them the archive is made unsigned. A certificate that cannot be read fails the archive's run with the reason rather
than quietly making unsigned files.
"""

import io

from django.conf import settings
from django.utils.translation import gettext as _


def signing_configured() -> bool:
    return bool(getattr(settings, "ARCHIVE_SIGNING_P12", "")) and bool(
        getattr(settings, "ARCHIVE_SIGNING_PASSWORD", "")
    )


def load_signer():
    """The configured signer, or None when no certificate is configured."""
    if not signing_configured():
        return None
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=str(settings.ARCHIVE_SIGNING_P12), passphrase=settings.ARCHIVE_SIGNING_PASSWORD.encode()
    )
    if signer is None:
        raise ValueError(
            _("Не удалось прочитать сертификат подписи архива (ARCHIVE_SIGNING_P12): проверьте файл и пароль.")
        )
    return signer


def sign_pdf(data: bytes, signer, *, reason: str, location: str = "") -> bytes:
    """``data`` with a PAdES signature of ``signer`` appended (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="ArchiveSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
    )
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()
