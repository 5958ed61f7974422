#!/usr/bin/env python3
"""Writes app/src/main/res/values*/strings.xml from one table, so every language has every
key (aapt2 then fails on a typo instead of showing English by accident). The languages
are the core's message templates' (core/src/checkin/templates.json): en, es, pl, pt,
pt-BR, ro. Run after editing the table; the output is committed."""
import os
from xml.sax.saxutils import escape

LANGS = {"": "en", "es": "es", "pl": "pl", "pt": "pt", "pt-rBR": "pt-br", "ro": "ro"}

# key: (en, es, pl, pt, pt-br, ro)
S = {
 "app_name": ("Vigil", "Vigil", "Vigil", "Vigil", "Vigil", "Vigil"),
 "camouflage_name": ("Notes", "Notas", "Notatki", "Notas", "Notas", "Notițe"),
 "unlock_title": ("Enter your passphrase", "Escribe tu frase de acceso", "Wpisz hasło", "Introduz a tua frase-passe", "Digite sua frase-senha", "Introdu fraza de acces"),
 "unlock_create_title": ("Choose a passphrase", "Elige una frase de acceso", "Wybierz hasło", "Escolhe uma frase-passe", "Escolha uma frase-senha", "Alege o frază de acces"),
 "unlock_button": ("Unlock", "Desbloquear", "Odblokuj", "Desbloquear", "Desbloquear", "Deblochează"),
 "create_button": ("Create", "Crear", "Utwórz", "Criar", "Criar", "Creează"),
 "wrong_passphrase": ("Wrong passphrase. Try again.", "Frase incorrecta. Inténtalo de nuevo.", "Złe hasło. Spróbuj ponownie.", "Frase errada. Tenta de novo.", "Frase errada. Tente de novo.", "Frază greșită. Încearcă din nou."),
 "passphrase_empty": ("Type a passphrase.", "Escribe una frase de acceso.", "Wpisz hasło.", "Escreve uma frase-passe.", "Digite uma frase-senha.", "Scrie o frază de acces."),
 "home_bookings": ("Bookings", "Citas", "Rezerwacje", "Marcações", "Agendamentos", "Programări"),
 "home_checkin": ("Check-in", "Control", "Meldowanie", "Check-in", "Check-in", "Confirmare"),
 "home_screening": ("Screen a number", "Revisar un número", "Sprawdź numer", "Verificar um número", "Verificar um número", "Verifică un număr"),
 "home_services": ("Services near me", "Servicios cerca", "Usługi w pobliżu", "Serviços perto", "Serviços perto", "Servicii în apropiere"),
 "home_settings": ("Settings", "Ajustes", "Ustawienia", "Definições", "Configurações", "Setări"),
 "home_lock": ("Lock", "Bloquear", "Zablokuj", "Bloquear", "Bloquear", "Blochează"),
 "field_client": ("Client", "Cliente", "Klient", "Cliente", "Cliente", "Client"),
 "field_phone": ("Phone", "Teléfono", "Telefon", "Telefone", "Telefone", "Telefon"),
 "field_time": ("Time (YYYY-MM-DD HH:MM)", "Hora (AAAA-MM-DD HH:MM)", "Czas (RRRR-MM-DD GG:MM)", "Hora (AAAA-MM-DD HH:MM)", "Hora (AAAA-MM-DD HH:MM)", "Ora (AAAA-LL-ZZ HH:MM)"),
 "field_duration": ("Duration (minutes)", "Duración (minutos)", "Czas trwania (minuty)", "Duração (minutos)", "Duração (minutos)", "Durată (minute)"),
 "field_kind": ("Kind", "Tipo", "Rodzaj", "Tipo", "Tipo", "Tip"),
 "field_address": ("Address", "Dirección", "Adres", "Morada", "Endereço", "Adresă"),
 "field_name": ("Name", "Nombre", "Imię", "Nome", "Nome", "Nume"),
 "field_code": ("Check-in code", "Código de control", "Kod meldunku", "Código de check-in", "Código de check-in", "Cod de confirmare"),
 "field_duress_code": ("Duress code", "Código de coacción", "Kod przymusu", "Código de coação", "Código de coação", "Cod de constrângere"),
 "field_minutes": ("Minutes", "Minutos", "Minuty", "Minutos", "Minutos", "Minute"),
 "save": ("Save", "Guardar", "Zapisz", "Guardar", "Salvar", "Salvează"),
 "edit": ("Edit", "Editar", "Edytuj", "Editar", "Editar", "Editează"),
 "delete": ("Delete", "Borrar", "Usuń", "Apagar", "Excluir", "Șterge"),
 "add": ("Add", "Añadir", "Dodaj", "Adicionar", "Adicionar", "Adaugă"),
 "cancel": ("Cancel", "Cancelar", "Anuluj", "Cancelar", "Cancelar", "Anulează"),
 "bad_time": ("Use the form 2026-12-31 21:30.", "Usa la forma 2026-12-31 21:30.", "Użyj formatu 2026-12-31 21:30.", "Usa a forma 2026-12-31 21:30.", "Use a forma 2026-12-31 21:30.", "Folosește forma 2026-12-31 21:30."),
 "bad_minutes": ("Type a whole number of minutes.", "Escribe un número entero de minutos.", "Wpisz liczbę minut.", "Escreve um número inteiro de minutos.", "Digite um número inteiro de minutos.", "Scrie un număr întreg de minute."),
 "required": ("Required.", "Obligatorio.", "Wymagane.", "Obrigatório.", "Obrigatório.", "Obligatoriu."),
 "unreadable_records": ("%1$d records could not be read.", "No se pudieron leer %1$d registros.", "Nie udało się odczytać rekordów: %1$d.", "Não foi possível ler %1$d registos.", "Não foi possível ler %1$d registros.", "%1$d înregistrări nu au putut fi citite."),
 "checkin_start": ("Start check-in", "Iniciar control", "Rozpocznij meldowanie", "Iniciar check-in", "Iniciar check-in", "Pornește confirmarea"),
 "checkin_extend": ("Extend", "Prolongar", "Przedłuż", "Prolongar", "Estender", "Prelungește"),
 "checkin_ok": ("Check in", "Estoy bien", "Melduję się", "Fazer check-in", "Fazer check-in", "Confirmă"),
 "checked_in": ("Checked in. Thank you.", "Control hecho. Gracias.", "Zameldowano. Dziękujemy.", "Check-in feito. Obrigado.", "Check-in feito. Obrigado.", "Confirmat. Mulțumim."),
 "wrong_code": ("Wrong code. Try again.", "Código incorrecto. Inténtalo de nuevo.", "Zły kod. Spróbuj ponownie.", "Código errado. Tenta de novo.", "Código errado. Tente de novo.", "Cod greșit. Încearcă din nou."),
 "too_many_codes": ("Too many tries. Wait %1$d seconds.", "Demasiados intentos. Espera %1$d segundos.", "Za dużo prób. Poczekaj %1$d s.", "Demasiadas tentativas. Espera %1$d segundos.", "Tentativas demais. Espere %1$d segundos.", "Prea multe încercări. Așteaptă %1$d secunde."),
 "nothing_armed": ("Nothing to check in to.", "No hay nada que controlar.", "Brak aktywnego meldunku.", "Nada para fazer check-in.", "Nada para fazer check-in.", "Nimic de confirmat."),
 "checkin_unreadable": ("A check-in could not be read.", "No se pudo leer un control.", "Nie udało się odczytać meldunku.", "Não foi possível ler um check-in.", "Não foi possível ler um check-in.", "O confirmare nu a putut fi citită."),
 "countdown_title": ("Check-in due", "Control pendiente", "Meldunek do", "Check-in pendente", "Check-in pendente", "Confirmare la"),
 "escalating_title": ("Buddies are being alerted", "Se está avisando a tus contactos", "Powiadamiamy zaufane osoby", "Os teus contactos estão a ser avisados", "Seus contatos estão sendo avisados", "Persoanele de încredere sunt anunțate"),
 "notice_title": ("Vigil", "Vigil", "Vigil", "Vigil", "Vigil", "Vigil"),
 "channel_alerts": ("Check-in alerts", "Avisos de control", "Alerty meldunków", "Alertas de check-in", "Alertas de check-in", "Alerte de confirmare"),
 "channel_countdown": ("Check-in countdown", "Cuenta atrás", "Odliczanie", "Contagem", "Contagem", "Numărătoare"),
 "exact_alarm_denied": ("Exact alarms are not allowed: alerts may be late by several minutes. Allow \"Alarms &amp; reminders\" for this app.", "Las alarmas exactas no están permitidas: los avisos pueden retrasarse varios minutos. Permite \"Alarmas y recordatorios\".", "Dokładne alarmy są wyłączone: alerty mogą się spóźnić o kilka minut. Zezwól na \"Alarmy i przypomnienia\".", "Alarmes exatos não permitidos: os alertas podem atrasar vários minutos. Permite \"Alarmes e lembretes\".", "Alarmes exatos não permitidos: os alertas podem atrasar vários minutos. Permita \"Alarmes e lembretes\".", "Alarmele exacte nu sunt permise: alertele pot întârzia câteva minute. Permite \"Alarme și mementouri\"."),
 "screen_hint": ("Number, e-mail or handle", "Número, correo o usuario", "Numer, e-mail lub nazwa", "Número, e-mail ou utilizador", "Número, e-mail ou usuário", "Număr, e-mail sau utilizator"),
 "screen_button": ("Check", "Revisar", "Sprawdź", "Verificar", "Verificar", "Verifică"),
 "screen_nothing": ("No notes or alerts about %1$s.", "No hay notas ni avisos sobre %1$s.", "Brak notatek i alertów o %1$s.", "Sem notas nem alertas sobre %1$s.", "Sem notas nem alertas sobre %1$s.", "Nicio notiță sau alertă despre %1$s."),
 "screen_incomplete": ("Some notes or alerts could not be read: this answer may be incomplete.", "Algunas notas o avisos no se pudieron leer: la respuesta puede estar incompleta.", "Części notatek lub alertów nie udało się odczytać: wynik może być niepełny.", "Algumas notas ou alertas não foram lidos: a resposta pode estar incompleta.", "Algumas notas ou alertas não foram lidos: a resposta pode estar incompleta.", "Unele notițe sau alerte nu au putut fi citite: răspunsul poate fi incomplet."),
 "reported_by": ("Reported by %1$s", "Aviso de %1$s", "Zgłoszone przez %1$s", "Reportado por %1$s", "Reportado por %1$s", "Raportat de %1$s"),
 "your_note": ("Your note: %1$s", "Tu nota: %1$s", "Twoja notatka: %1$s", "A tua nota: %1$s", "Sua nota: %1$s", "Notița ta: %1$s"),
 "incoming_call_note": ("Incoming call: %1$s", "Llamada entrante: %1$s", "Połączenie przychodzące: %1$s", "Chamada recebida: %1$s", "Chamada recebida: %1$s", "Apel primit: %1$s"),
 "incoming_call_public": ("Incoming call note", "Nota de llamada", "Notatka o połączeniu", "Nota de chamada", "Nota de chamada", "Notiță de apel"),
 "services_no_location": ("Location is off: showing nothing. Turn location on or search by postcode.", "Ubicación desactivada. Actívala o busca por código postal.", "Lokalizacja wyłączona. Włącz ją lub szukaj po kodzie pocztowym.", "Localização desligada. Liga-a ou pesquisa pelo código postal.", "Localização desligada. Ligue-a ou pesquise pelo CEP.", "Locația e oprită. Pornește-o sau caută după codul poștal."),
 "open_now": ("Open now", "Abierto", "Otwarte", "Aberto", "Aberto", "Deschis"),
 "closed_now": ("Closed", "Cerrado", "Zamknięte", "Fechado", "Fechado", "Închis"),
 "maybe_open": ("Hours unknown", "Horario desconocido", "Godziny nieznane", "Horário desconhecido", "Horário desconhecido", "Program necunoscut"),
 "directions": ("Directions", "Cómo llegar", "Trasa", "Direções", "Rotas", "Indicații"),
 "incomplete_publisher": ("Directory from %1$s is incomplete: ask for its bundle again.", "El directorio de %1$s está incompleto: pídelo de nuevo.", "Katalog od %1$s jest niepełny: poproś o niego ponownie.", "O diretório de %1$s está incompleto: pede-o de novo.", "O diretório de %1$s está incompleto: peça de novo.", "Directorul de la %1$s e incomplet: cere-l din nou."),
 "imported": ("Imported %1$d records.", "Importados %1$d registros.", "Zaimportowano rekordów: %1$d.", "Importados %1$d registos.", "Importados %1$d registros.", "Importate %1$d înregistrări."),
 "settings_buddies": ("Buddies", "Contactos de confianza", "Zaufane osoby", "Contactos de confiança", "Contatos de confiança", "Persoane de încredere"),
 "settings_codes": ("Check-in codes", "Códigos de control", "Kody meldunku", "Códigos de check-in", "Códigos de check-in", "Coduri de confirmare"),
 "settings_duress": ("Duress passphrase", "Frase de coacción", "Hasło przymusu", "Frase de coação", "Frase de coação", "Frază de constrângere"),
 "settings_unlock_limit": ("Wipe after this many wrong passphrases (empty: never)", "Borrar tras tantos intentos fallidos (vacío: nunca)", "Wyczyść po tylu błędnych hasłach (puste: nigdy)", "Apagar após estas frases erradas (vazio: nunca)", "Apagar após estas frases erradas (vazio: nunca)", "Șterge după atâtea fraze greșite (gol: niciodată)"),
 "settings_camouflage": ("Show as \"Notes\" on the home screen", "Mostrar como \"Notas\"", "Pokaż jako \"Notatki\"", "Mostrar como \"Notas\"", "Mostrar como \"Notas\"", "Arată ca \"Notițe\""),
 "settings_export": ("Export a backup", "Exportar copia", "Eksportuj kopię", "Exportar cópia", "Exportar backup", "Exportă o copie"),
 "settings_backup_passphrase": ("Backup passphrase", "Frase de la copia", "Hasło kopii", "Frase da cópia", "Frase do backup", "Fraza copiei"),
 "panic_wipe": ("Panic wipe", "Borrado de emergencia", "Awaryjne czyszczenie", "Apagar de emergência", "Apagar de emergência", "Ștergere de urgență"),
 "panic_wipe_pending": ("Wiping everything in %1$d seconds.", "Se borra todo en %1$d segundos.", "Wszystko zostanie usunięte za %1$d s.", "Tudo será apagado em %1$d segundos.", "Tudo será apagado em %1$d segundos.", "Totul se șterge în %1$d secunde."),
 "panic_wipe_cancelled": ("Wipe cancelled. Nothing was deleted.", "Borrado cancelado. No se borró nada.", "Anulowano. Nic nie usunięto.", "Cancelado. Nada foi apagado.", "Cancelado. Nada foi apagado.", "Anulat. Nu s-a șters nimic."),
 "saved": ("Saved.", "Guardado.", "Zapisano.", "Guardado.", "Salvo.", "Salvat."),
 "exported": ("Backup written: %1$d sections.", "Copia escrita: %1$d secciones.", "Kopia zapisana: sekcji %1$d.", "Cópia escrita: %1$d secções.", "Backup gravado: %1$d seções.", "Copie scrisă: %1$d secțiuni."),
 "export_unreadable": ("%1$d records could not be read and are not in the backup.", "%1$d registros no se pudieron leer y no están en la copia.", "Rekordów, których nie udało się odczytać i nie ma w kopii: %1$d.", "%1$d registos ilegíveis ficaram fora da cópia.", "%1$d registros ilegíveis ficaram fora do backup.", "%1$d înregistrări ilizibile nu sunt în copie."),
 "error_generic": ("Something went wrong: %1$s", "Algo salió mal: %1$s", "Coś poszło nie tak: %1$s", "Algo correu mal: %1$s", "Algo deu errado: %1$s", "Ceva nu a mers: %1$s"),
 "home_watch": ("Watch over me", "Cuídame", "Czuwaj nade mną", "Vigia-me", "Cuide de mim", "Veghează asupra mea"),
 "home_history": ("Check-in history", "Historial de controles", "Historia meldunków", "Histórico de check-ins", "Histórico de check-ins", "Istoricul confirmărilor"),
 "watch_pairing": ("Pair with a buddy's phone", "Vincular con el móvil de un contacto", "Połącz z telefonem zaufanej osoby", "Emparelhar com o telemóvel de um contacto", "Parear com o celular de um contato", "Asociază cu telefonul unei persoane de încredere"),
 "watch_allow_sms": ("Allow receiving Vigil SMS", "Permitir recibir SMS de Vigil", "Zezwól na odbieranie SMS Vigil", "Permitir receber SMS do Vigil", "Permitir receber SMS do Vigil", "Permite primirea SMS Vigil"),
 "watch_held_title": ("You are watching over", "Estás cuidando de", "Czuwasz nad", "Estás a vigiar", "Você está cuidando de", "Veghezi asupra"),
 "watch_sent_title": ("Your buddies' phones", "Los móviles de tus contactos", "Telefony twoich zaufanych osób", "Os telemóveis dos teus contactos", "Os celulares dos seus contatos", "Telefoanele persoanelor tale de încredere"),
 "watch_paste": ("Paste a Vigil message", "Pega un mensaje de Vigil", "Wklej wiadomość Vigil", "Cola uma mensagem do Vigil", "Cole uma mensagem do Vigil", "Lipește un mesaj Vigil"),
 "watch_receive": ("Read message", "Leer mensaje", "Odczytaj wiadomość", "Ler mensagem", "Ler mensagem", "Citește mesajul"),
 "watch_acknowledge": ("I have seen it, I am acting", "Lo he visto, me ocupo", "Widzę, działam", "Já vi, estou a tratar", "Já vi, estou agindo", "Am văzut, mă ocup"),
 "watch_alarm_public": ("Someone you watch over missed their check-in deadline", "Alguien a quien cuidas no hizo su control a tiempo", "Osoba, nad którą czuwasz, nie zameldowała się na czas", "Alguém que vigias não fez o check-in a tempo", "Alguém de quem você cuida não fez o check-in a tempo", "Cineva asupra căruia veghezi nu a confirmat la timp"),
 "watch_watching": ("%1$s: check-in due %2$s", "%1$s: control a las %2$s", "%1$s: meldunek do %2$s", "%1$s: check-in até %2$s", "%1$s: check-in até %2$s", "%1$s: confirmare până la %2$s"),
 "watch_overdue": ("%1$s has not checked in (due %2$s)", "%1$s no ha hecho el control (a las %2$s)", "%1$s nie zameldowała się (do %2$s)", "%1$s não fez o check-in (até %2$s)", "%1$s não fez o check-in (até %2$s)", "%1$s nu a confirmat (până la %2$s)"),
 "watch_alarm": ("ALARM: %1$s missed the check-in due %2$s", "ALARMA: %1$s no hizo el control de las %2$s", "ALARM: %1$s nie zameldowała się do %2$s", "ALARME: %1$s falhou o check-in até %2$s", "ALARME: %1$s perdeu o check-in até %2$s", "ALARMĂ: %1$s nu a confirmat până la %2$s"),
 "watch_safe": ("%1$s checked in (due %2$s)", "%1$s hizo el control (a las %2$s)", "%1$s zameldowała się (do %2$s)", "%1$s fez o check-in (até %2$s)", "%1$s fez o check-in (até %2$s)", "%1$s a confirmat (până la %2$s)"),
 "watch_confirmed": ("%1$s: %2$s received by their phone", "%1$s: %2$s recibido en su móvil", "%1$s: %2$s odebrane przez telefon", "%1$s: %2$s recebido no telemóvel", "%1$s: %2$s recebido no celular", "%1$s: %2$s primit pe telefon"),
 "watch_sent_unconfirmed": ("%1$s: %2$s sent, not confirmed yet", "%1$s: %2$s enviado, sin confirmar", "%1$s: %2$s wysłane, bez potwierdzenia", "%1$s: %2$s enviado, por confirmar", "%1$s: %2$s enviado, não confirmado", "%1$s: %2$s trimis, neconfirmat"),
 "watch_not_sent": ("%1$s: %2$s not sent yet", "%1$s: %2$s aún no enviado", "%1$s: %2$s jeszcze nie wysłane", "%1$s: %2$s ainda não enviado", "%1$s: %2$s ainda não enviado", "%1$s: %2$s încă netrimis"),
 "watch_received": ("Accepted: %1$s from %2$s", "Aceptado: %1$s de %2$s", "Przyjęto: %1$s od %2$s", "Aceite: %1$s de %2$s", "Aceito: %1$s de %2$s", "Acceptat: %1$s de la %2$s"),
 "pairing_own_title": ("Your pairing code", "Tu código de vinculación", "Twój kod parowania", "O teu código de emparelhamento", "Seu código de pareamento", "Codul tău de asociere"),
 "pairing_own_name": ("Your name as your buddy will see it", "Tu nombre como lo verá tu contacto", "Twoje imię widoczne dla zaufanej osoby", "O teu nome como o contacto o verá", "Seu nome como o contato verá", "Numele tău așa cum îl va vedea"),
 "pairing_show": ("Show my code", "Mostrar mi código", "Pokaż mój kod", "Mostrar o meu código", "Mostrar meu código", "Arată codul meu"),
 "pairing_share": ("Share my code", "Compartir mi código", "Udostępnij mój kod", "Partilhar o meu código", "Compartilhar meu código", "Trimite codul meu"),
 "pairing_their_title": ("Your buddy's code", "El código de tu contacto", "Kod zaufanej osoby", "O código do teu contacto", "O código do seu contato", "Codul persoanei de încredere"),
 "pairing_their_code": ("Paste their code (VGP1:…)", "Pega su código (VGP1:…)", "Wklej kod (VGP1:…)", "Cola o código (VGP1:…)", "Cole o código (VGP1:…)", "Lipește codul (VGP1:…)"),
 "pairing_preview": ("Check code", "Comprobar código", "Sprawdź kod", "Verificar código", "Verificar código", "Verifică codul"),
 "pairing_sas": ("%1$s. Both phones must show the same digits: %2$s", "%1$s. Los dos móviles deben mostrar los mismos dígitos: %2$s", "%1$s. Oba telefony muszą pokazać te same cyfry: %2$s", "%1$s. Os dois telemóveis devem mostrar os mesmos dígitos: %2$s", "%1$s. Os dois celulares devem mostrar os mesmos dígitos: %2$s", "%1$s. Ambele telefoane trebuie să arate aceleași cifre: %2$s"),
 "pairing_sas_field": ("The six digits on your buddy's screen", "Los seis dígitos en la pantalla de tu contacto", "Sześć cyfr z ekranu zaufanej osoby", "Os seis dígitos no ecrã do contacto", "Os seis dígitos na tela do contato", "Cele șase cifre de pe ecranul celuilalt"),
 "pairing_saved": ("Paired.", "Vinculado.", "Połączono.", "Emparelhado.", "Pareado.", "Asociat."),
 "pairing_linked": ("for check-ins with %1$s", "para controles con %1$s", "dla meldunków z %1$s", "para check-ins com %1$s", "para check-ins com %1$s", "pentru confirmări cu %1$s"),
 "pairing_link": ("Link", "Vincular", "Powiąż", "Ligar", "Vincular", "Leagă"),
 "history_checked_in": ("%1$s: checked in", "%1$s: control hecho", "%1$s: zameldowano", "%1$s: check-in feito", "%1$s: check-in feito", "%1$s: confirmat"),
 "history_cancelled": ("%1$s: cancelled", "%1$s: cancelado", "%1$s: anulowano", "%1$s: cancelado", "%1$s: cancelado", "%1$s: anulat"),
 "history_escalated": ("%1$s: buddies alerted (%2$d)", "%1$s: contactos avisados (%2$d)", "%1$s: powiadomiono zaufane osoby (%2$d)", "%1$s: contactos avisados (%2$d)", "%1$s: contatos avisados (%2$d)", "%1$s: persoane anunțate (%2$d)"),
 "booking_past_no_status": ("past, no status", "pasada, sin estado", "minęła, bez statusu", "passada, sem estado", "passada, sem status", "trecută, fără stare"),
 "booking_status": ("Status", "Estado", "Status", "Estado", "Status", "Stare"),
}

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "app", "src", "main", "res")
for qualifier, _ in LANGS.items():
    index = list(LANGS).index(qualifier)
    folder = os.path.join(root, "values" + ("-" + qualifier if qualifier else ""))
    os.makedirs(folder, exist_ok=True)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             "<!-- Generated by android/tools/strings.py: edit the table there. -->", "<resources>"]
    for key, texts in S.items():
        text = texts[index].replace("&amp;", "&")
        text = escape(text).replace('"', '\\"').replace("'", "\\'")
        attrs = ' translatable="false"' if key == "app_name" and qualifier == "" else ""
        if qualifier and key == "app_name":
            continue
        lines.append(f'    <string name="{key}"{attrs}>{text}</string>')
    lines.append("</resources>")
    with open(os.path.join(folder, "strings.xml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
