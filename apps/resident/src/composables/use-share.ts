import { showToast } from 'vant';
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older in-app browsers: the selection fallback.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/** Share a page of the app: the system share sheet when there is one, else copy; and a QR code. */
export function useShare() {
  const { t } = useI18n();
  const qr = ref('');

  /** The QR code as a data: URL, drawn in the browser (the library loads only when asked). */
  async function makeQr(url: string, width = 240) {
    const QRCode = await import('qrcode');
    qr.value = await QRCode.toDataURL(url, { width, margin: 1, errorCorrectionLevel: 'M' });
  }

  async function shareLink(url: string, title: string) {
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ title, url });
        return;
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') return;
      }
    }
    showToast((await copyText(url)) ? t('guide.copied') : t('guide.copyFailed'));
  }

  return { qr, makeQr, shareLink };
}
