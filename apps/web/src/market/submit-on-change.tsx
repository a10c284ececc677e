'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';

/**
 * Placed inside a GET form: any change navigates to the form's URL at once (client-side, so back/forward walk the
 * searches). Empty fields are left out of the URL. Without JavaScript the form's own submit button does the same.
 */
export function SubmitOnChange() {
  const ref = useRef<HTMLSpanElement>(null);
  const router = useRouter();
  useEffect(() => {
    const form = ref.current?.closest('form');
    if (!form) return;
    const toUrl = () => {
      const params = new URLSearchParams();
      for (const [key, value] of new FormData(form)) if (typeof value === 'string' && value !== '') params.set(key, value);
      const search = params.toString();
      return search ? `${form.getAttribute('action')}?${search}` : (form.getAttribute('action') ?? '');
    };
    const onChange = () => router.push(toUrl(), { scroll: false });
    const onSubmit = (event: SubmitEvent) => {
      event.preventDefault();
      router.push(toUrl());
    };
    form.addEventListener('change', onChange);
    form.addEventListener('submit', onSubmit);
    return () => {
      form.removeEventListener('change', onChange);
      form.removeEventListener('submit', onSubmit);
    };
  }, [router]);
  return <span ref={ref} hidden />;
}
