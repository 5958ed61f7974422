#!/usr/bin/env python3
"""Writes app/src/main/res/values*/strings.xml from one table, so every language has every
key (aapt2 then fails on a typo instead of showing English by accident). The languages
are the core's message templates' (core/src/checkin/templates.json): en, es, pl, pt,
pt-BR, ro. Run after editing the table; the output is committed."""
import os
import re
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
 "wipe_traces_left": ("The data is deleted, but its key or some files could not be removed from the phone.", "Los datos se borraron, pero su clave o algunos archivos no se pudieron quitar del teléfono.", "Dane usunięto, ale ich klucza lub niektórych plików nie udało się usunąć z telefonu.", "Os dados foram apagados, mas a chave ou alguns ficheiros não puderam ser removidos do telemóvel.", "Os dados foram apagados, mas a chave ou alguns arquivos não puderam ser removidos do celular.", "Datele sunt șterse, dar cheia lor sau unele fișiere nu au putut fi eliminate de pe telefon."),
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
 # Android (session 6): the buddy's alarm screen, refused watch SMS, booking status names.
 "channel_watch_alarm": ("Alarms for people you watch over", "Alarmas de personas que cuidas", "Alarmy osób, nad którymi czuwasz", "Alarmes de quem vigias", "Alarmes de quem você cuida", "Alarme pentru cei asupra cărora veghezi"),
 "channel_watch_notices": ("Watch over me notices", "Avisos de Cuídame", "Powiadomienia Czuwaj nade mną", "Avisos do Vigia-me", "Avisos do Cuide de mim", "Notificări Veghează asupra mea"),
 "alarm_got_it": ("I've got it", "Me ocupo yo", "Zajmę się tym", "Eu trato disto", "Eu cuido disso", "Mă ocup eu"),
 "alarm_unlock_hint": ("Unlock the phone to see the details.", "Desbloquea el móvil para ver los detalles.", "Odblokuj telefon, aby zobaczyć szczegóły.", "Desbloqueia o telemóvel para ver os detalhes.", "Desbloqueie o celular para ver os detalhes.", "Deblochează telefonul ca să vezi detaliile."),
 "alarm_acknowledged": ("You've got it: no more alarm steps for this check-in.", "Te ocupas tú: no habrá más pasos de alarma para este control.", "Zajmujesz się tym: koniec kolejnych kroków alarmu dla tego meldunku.", "Estás a tratar: não há mais passos de alarme para este check-in.", "Você está cuidando: não há mais etapas de alarme para este check-in.", "Te ocupi tu: nu mai urmează pași de alarmă pentru această confirmare."),
 "alarm_close": ("Close", "Cerrar", "Zamknij", "Fechar", "Fechar", "Închide"),
 "watch_fullscreen_denied": ("Alarms for the people you watch over cannot take over the screen: they only show as notifications. Allow full-screen notifications for this app.", "Las alarmas de las personas que cuidas no pueden ocupar la pantalla: solo salen como notificaciones. Permite las notificaciones a pantalla completa.", "Alarmy osób, nad którymi czuwasz, nie mogą zająć ekranu: pojawią się tylko jako powiadomienia. Zezwól na powiadomienia pełnoekranowe.", "Os alarmes de quem vigias não podem ocupar o ecrã: só aparecem como notificações. Permite as notificações em ecrã inteiro.", "Os alarmes de quem você cuida não podem ocupar a tela: só aparecem como notificações. Permita as notificações em tela cheia.", "Alarmele celor asupra cărora veghezi nu pot ocupa ecranul: apar doar ca notificări. Permite notificările pe tot ecranul."),
 "watch_fullscreen_allow": ("Allow full-screen alarms", "Permitir alarmas a pantalla completa", "Zezwól na alarmy pełnoekranowe", "Permitir alarmes em ecrã inteiro", "Permitir alarmes em tela cheia", "Permite alarmele pe tot ecranul"),
 "watch_refused": ("A Vigil message could not be read: %1$s", "No se pudo leer un mensaje de Vigil: %1$s", "Nie udało się odczytać wiadomości Vigil: %1$s", "Não foi possível ler uma mensagem do Vigil: %1$s", "Não foi possível ler uma mensagem do Vigil: %1$s", "Un mesaj Vigil nu a putut fi citit: %1$s"),
 "watch_refused_line": ("%1$s: a Vigil message could not be read: %2$s", "%1$s: no se pudo leer un mensaje de Vigil: %2$s", "%1$s: nie udało się odczytać wiadomości Vigil: %2$s", "%1$s: não foi possível ler uma mensagem do Vigil: %2$s", "%1$s: não foi possível ler uma mensagem do Vigil: %2$s", "%1$s: un mesaj Vigil nu a putut fi citit: %2$s"),
 "refusal_cut_off": ("it was cut off (part of the SMS is missing)", "llegó cortado (falta una parte del SMS)", "jest ucięta (brakuje części SMS)", "chegou cortada (falta uma parte do SMS)", "chegou cortada (falta uma parte do SMS)", "a sosit trunchiat (lipsește o parte din SMS)"),
 "refusal_damaged": ("it is damaged", "está dañado", "jest uszkodzona", "está danificada", "está danificada", "este deteriorat"),
 "refusal_not_paired": ("it is not from a paired phone", "no viene de un móvil vinculado", "nie pochodzi z połączonego telefonu", "não vem de um telemóvel emparelhado", "não vem de um celular pareado", "nu vine de la un telefon asociat"),
 "refusal_wrong_phone": ("it was meant for another phone", "era para otro móvil", "była przeznaczona dla innego telefonu", "era para outro telemóvel", "era para outro celular", "era pentru alt telefon"),
 "refusal_forged": ("it was altered or forged", "fue alterado o falsificado", "została zmieniona lub podrobiona", "foi alterada ou falsificada", "foi alterada ou falsificada", "a fost modificat sau falsificat"),
 "refusal_replayed": ("it was already received (a copy or a replay)", "ya se había recibido (una copia o una repetición)", "została już odebrana (kopia lub powtórka)", "já tinha sido recebida (uma cópia ou repetição)", "já tinha sido recebida (uma cópia ou repetição)", "a fost deja primit (o copie sau o repetare)"),
 "refusal_newer": ("it comes from a newer version of Vigil: update this app", "viene de una versión más nueva de Vigil: actualiza la app", "pochodzi z nowszej wersji Vigil: zaktualizuj aplikację", "vem de uma versão mais recente do Vigil: atualiza a app", "vem de uma versão mais recente do Vigil: atualize o app", "vine de la o versiune mai nouă Vigil: actualizează aplicația"),
 "refusal_other": ("this phone could not process it", "este móvil no pudo procesarlo", "ten telefon nie mógł jej przetworzyć", "este telemóvel não a conseguiu processar", "este celular não conseguiu processá-la", "acest telefon nu l-a putut procesa"),
 # Session 6, shells: the refusal reasons the bindings now give (WatchRefusal) that had no
 # words of their own, and changing a pairing's number.
 "refusal_not_vigil": ("it is not a Vigil message", "no es un mensaje de Vigil", "to nie jest wiadomość Vigil", "não é uma mensagem do Vigil", "não é uma mensagem do Vigil", "nu este un mesaj Vigil"),
 "refusal_out_of_order": ("it is older than a message already received from that phone", "es más antiguo que un mensaje ya recibido de ese móvil", "jest starsza niż wiadomość już odebrana z tego telefonu", "é mais antiga do que uma mensagem já recebida desse telemóvel", "é mais antiga que uma mensagem já recebida desse celular", "este mai vechi decât un mesaj deja primit de pe acel telefon"),
 "pairing_phone_change": ("Change number", "Cambiar número", "Zmień numer", "Mudar número", "Alterar número", "Schimbă numărul"),
 "pairing_phone_changed": ("Number changed: messages not sent yet go to the new one.", "Número cambiado: los mensajes aún no enviados irán al nuevo.", "Numer zmieniony: wiadomości jeszcze niewysłane pójdą na nowy.", "Número mudado: as mensagens ainda não enviadas vão para o novo.", "Número alterado: as mensagens ainda não enviadas vão para o novo.", "Număr schimbat: mesajele încă netrimise merg la cel nou."),
 "booking_status_planned": ("planned", "prevista", "zaplanowana", "marcada", "agendado", "planificată"),
 "booking_status_in_progress": ("in progress", "en curso", "w toku", "a decorrer", "em andamento", "în desfășurare"),
 "booking_status_done": ("done", "hecha", "zakończona", "feita", "concluído", "încheiată"),
 "booking_status_cancelled": ("cancelled", "cancelada", "odwołana", "cancelada", "cancelado", "anulată"),
 "booking_status_no_show": ("no-show", "no se presentó", "klient nie przyszedł", "cliente não apareceu", "cliente não compareceu", "clientul nu a venit"),
 "booking_status_incident": ("incident", "incidente", "incydent", "incidente", "incidente", "incident"),
 # Android (session 6, afix): what the alarms need and the system may withhold
 # (notifications, SEND_SMS, CALL_PHONE), and the buddy's alarm channel turned off.
 "permissions_missing": ("Alarms may not reach anyone: notifications are off, or Vigil may not send SMS or call. Tap Allow.", "Puede que las alarmas no lleguen a nadie: las notificaciones están desactivadas o Vigil no puede enviar SMS ni llamar. Toca Permitir.", "Alarmy mogą do nikogo nie dotrzeć: powiadomienia są wyłączone albo Vigil nie może wysyłać SMS-ów ani dzwonić. Stuknij Zezwól.", "Os alarmes podem não chegar a ninguém: as notificações estão desligadas ou o Vigil não pode enviar SMS nem ligar. Toca em Permitir.", "Os alarmes podem não chegar a ninguém: as notificações estão desativadas ou o Vigil não pode enviar SMS nem ligar. Toque em Permitir.", "Alarmele s-ar putea să nu ajungă la nimeni: notificările sunt oprite sau Vigil nu poate trimite SMS ori suna. Atinge Permite."),
 "alarm_not_acknowledged": ("Not acknowledged: unlock the phone and tap \"I've got it\" again.", "No confirmado: desbloquea el teléfono y vuelve a tocar \"Me ocupo yo\".", "Nie potwierdzono: odblokuj telefon i stuknij ponownie \"Zajmę się tym\".", "Não confirmado: desbloqueia o telemóvel e toca outra vez em \"Eu trato disto\".", "Não confirmado: desbloqueie o celular e toque de novo em \"Eu cuido disso\".", "Neconfirmat: deblochează telefonul și atinge din nou \"Mă ocup eu\"."),
 "permissions_allow": ("Allow", "Permitir", "Zezwól", "Permitir", "Permitir", "Permite"),
 "permissions_settings": ("Open settings", "Abrir ajustes", "Otwórz ustawienia", "Abrir definições", "Abrir configurações", "Deschide setările"),
 "watch_alarm_channel_off": ("The alarm for people you watch over is turned off or silent in this phone's settings: it will not ring.", "La alarma de las personas a quienes cuidas está desactivada o en silencio en los ajustes del teléfono: no sonará.", "Alarm dla osób, nad którymi czuwasz, jest wyłączony lub wyciszony w ustawieniach telefonu: nie zadzwoni.", "O alarme das pessoas que vigias está desligado ou em silêncio nas definições do telemóvel: não vai tocar.", "O alarme das pessoas de quem você cuida está desativado ou silencioso nas configurações do celular: ele não vai tocar.", "Alarma pentru persoanele asupra cărora veghezi e oprită sau pe silențios în setările telefonului: nu va suna."),
}

# The iOS shell's own keys (ios/VigilKit/Sources/VigilKit/Resources/<lang>.lproj), same
# order of languages. iOS writes every key of S too (a shared key means the same text on
# both phones); these are the texts only the iPhone has (its limits, its screens).
IOS = {
 "field_passphrase": ("Passphrase", "Frase de acceso", "Hasło", "Frase-passe", "Frase-senha", "Frază de acces"),
 "field_passphrase_again": ("The same passphrase again", "La misma frase otra vez", "To samo hasło jeszcze raz", "A mesma frase-passe outra vez", "A mesma frase-senha de novo", "Aceeași frază încă o dată"),
 "passphrase_mismatch": ("The two passphrases are not the same.", "Las dos frases no son iguales.", "Hasła nie są takie same.", "As duas frases-passe não são iguais.", "As duas frases-senha não são iguais.", "Cele două fraze nu sunt la fel."),
 "field_email": ("E-mail", "Correo", "E-mail", "E-mail", "E-mail", "E-mail"),
 "field_handle": ("Handle (platform:@name)", "Usuario (plataforma:@nombre)", "Nazwa (platforma:@nazwa)", "Utilizador (plataforma:@nome)", "Usuário (plataforma:@nome)", "Utilizator (platformă:@nume)"),
 "field_starts_at": ("Time", "Hora", "Czas", "Hora", "Hora", "Ora"),
 "field_latitude": ("Latitude", "Latitud", "Szerokość geograficzna", "Latitude", "Latitude", "Latitudine"),
 "field_longitude": ("Longitude", "Longitud", "Długość geograficzna", "Longitude", "Longitude", "Longitudine"),
 "field_terms": ("Terms", "Condiciones", "Warunki", "Condições", "Condições", "Condiții"),
 "field_notes": ("Notes", "Notas", "Notatki", "Notas", "Notas", "Notițe"),
 "field_language": ("Language for messages", "Idioma de los mensajes", "Język wiadomości", "Língua das mensagens", "Idioma das mensagens", "Limba mesajelor"),
 "field_deadline": ("Check in by", "Control antes de", "Zamelduj się do", "Check-in até", "Check-in até", "Confirmă până la"),
 "field_reminder_minutes": ("Remind me this many minutes before (empty: 5)", "Avisarme estos minutos antes (vacío: 5)", "Przypomnij tyle minut wcześniej (puste: 5)", "Lembrar-me estes minutos antes (vazio: 5)", "Me lembrar estes minutos antes (vazio: 5)", "Amintește-mi cu atâtea minute înainte (gol: 5)"),
 "field_grace_minutes": ("Wait this many minutes after the deadline (empty: 10)", "Esperar estos minutos tras la hora límite (vacío: 10)", "Czekaj tyle minut po terminie (puste: 10)", "Esperar estes minutos após o prazo (vazio: 10)", "Esperar estes minutos após o prazo (vazio: 10)", "Așteaptă atâtea minute după termen (gol: 10)"),
 "field_repeat_minutes": ("Repeat alerts every (minutes, empty: 5)", "Repetir avisos cada (minutos, vacío: 5)", "Powtarzaj alerty co (minuty, puste: 5)", "Repetir alertas a cada (minutos, vazio: 5)", "Repetir alertas a cada (minutos, vazio: 5)", "Repetă alertele la fiecare (minute, gol: 5)"),
 "field_identifiers": ("Numbers, e-mails, handles or plates (one a line)", "Números, correos, usuarios o matrículas (uno por línea)", "Numery, e-maile, nazwy lub tablice rejestracyjne (jedno w wierszu)", "Números, e-mails, utilizadores ou matrículas (um por linha)", "Números, e-mails, usuários ou placas (um por linha)", "Numere, e-mailuri, utilizatori sau numere de înmatriculare (unul pe rând)"),
 "field_label": ("Name for this client", "Nombre para este cliente", "Nazwa tego klienta", "Nome para este cliente", "Nome para este cliente", "Nume pentru acest client"),
 "field_note": ("What happened", "Qué pasó", "Co się stało", "O que aconteceu", "O que aconteceu", "Ce s-a întâmplat"),
 "field_search": ("Name or postcode", "Nombre o código postal", "Nazwa lub kod pocztowy", "Nome ou código postal", "Nome ou CEP", "Nume sau cod poștal"),
 "field_radius_km": ("Within (km)", "A menos de (km)", "W promieniu (km)", "Até (km)", "Até (km)", "Pe o rază de (km)"),
 "field_current_passphrase": ("Your passphrase", "Tu frase de acceso", "Twoje hasło", "A tua frase-passe", "Sua frase-senha", "Fraza ta de acces"),
 "field_duress_passphrase": ("Duress passphrase", "Frase de coacción", "Hasło przymusu", "Frase de coação", "Frase de coação", "Frază de constrângere"),
 "search": ("Search", "Buscar", "Szukaj", "Pesquisar", "Buscar", "Caută"),
 "bad_number": ("Type a number here.", "Escribe un número aquí.", "Wpisz tu liczbę.", "Escreve aqui um número.", "Digite um número aqui.", "Scrie aici un număr."),
 "error_unexpected": ("Something went wrong. Nothing was changed.", "Algo salió mal. No se cambió nada.", "Coś poszło nie tak. Nic nie zmieniono.", "Algo correu mal. Nada foi alterado.", "Algo deu errado. Nada foi alterado.", "Ceva nu a mers. Nu s-a schimbat nimic."),
 "checkin_unlock_first": ("Unlock Vigil to start a check-in.", "Desbloquea Vigil para iniciar un control.", "Odblokuj Vigil, aby rozpocząć meldowanie.", "Desbloqueia o Vigil para iniciar um check-in.", "Desbloqueie o Vigil para iniciar um check-in.", "Deblochează Vigil ca să pornești o confirmare."),
 "grace_title": ("Deadline passed: check in now", "Hora límite pasada: haz el control ya", "Termin minął: zamelduj się teraz", "Prazo passado: faz o check-in já", "Prazo passado: faça o check-in agora", "Termenul a trecut: confirmă acum"),
 "checkin_wake_body": ("Open Vigil: your check-in needs you.", "Abre Vigil: tu control te necesita.", "Otwórz Vigil: twój meldunek czeka.", "Abre o Vigil: o teu check-in precisa de ti.", "Abra o Vigil: seu check-in precisa de você.", "Deschide Vigil: confirmarea ta te așteaptă."),
 "escalation_notification_body": ("Open Vigil to send your check-in alert.", "Abre Vigil para enviar tu aviso de control.", "Otwórz Vigil, aby wysłać alert meldunku.", "Abre o Vigil para enviar o alerta do teu check-in.", "Abra o Vigil para enviar o alerta do seu check-in.", "Deschide Vigil ca să trimiți alerta confirmării."),
 "ios_sms_limit": ("On iPhone, Vigil cannot send a text or make a call by itself. When your deadline passes it notifies you and opens a message to your buddy, already written: it is only sent when you tap Send. If you cannot reach your phone, nothing is sent.",
   "En iPhone, Vigil no puede enviar un mensaje ni llamar por sí solo. Cuando pasa tu hora límite te avisa y abre un mensaje a tu contacto ya escrito: solo se envía cuando tocas Enviar. Si no puedes llegar a tu teléfono, no se envía nada.",
   "Na iPhonie Vigil nie może sam wysłać SMS-a ani zadzwonić. Gdy minie twój termin, powiadomi cię i otworzy gotową wiadomość do zaufanej osoby: zostanie wysłana dopiero, gdy stukniesz Wyślij. Jeśli nie możesz sięgnąć po telefon, nic nie zostanie wysłane.",
   "No iPhone, o Vigil não pode enviar uma mensagem nem fazer uma chamada sozinho. Quando o teu prazo passa, avisa-te e abre uma mensagem já escrita para o teu contacto: só é enviada quando tocas em Enviar. Se não conseguires chegar ao telemóvel, nada é enviado.",
   "No iPhone, o Vigil não pode enviar uma mensagem nem fazer uma ligação sozinho. Quando seu prazo passa, ele avisa você e abre uma mensagem já escrita para seu contato: ela só é enviada quando você toca em Enviar. Se você não conseguir pegar o celular, nada é enviado.",
   "Pe iPhone, Vigil nu poate trimite singur un mesaj și nici nu poate suna. Când trece termenul, te anunță și deschide un mesaj deja scris către persoana de încredere: pleacă doar când atingi Trimite. Dacă nu poți ajunge la telefon, nu se trimite nimic."),
 "buddy_held_advice": ("Safer on iPhone: pair with your buddy's phone (Settings, Watch over me) so their phone holds your deadline and raises the alarm there; or tell them your deadline yourself and ask them to act if you have not checked in by then.",
   "Más seguro en iPhone: vincula el móvil de tu contacto (Ajustes, Cuídame) para que su móvil guarde tu hora límite y dé la alarma allí; o dile tú misma tu hora límite y pídele que actúe si no has hecho el control para entonces.",
   "Bezpieczniej na iPhonie: połącz się z telefonem zaufanej osoby (Ustawienia, Czuwaj nade mną), aby jej telefon pilnował twojego terminu i tam podniósł alarm; albo sama podaj jej termin i poproś, by zareagowała, jeśli do tej pory się nie zameldujesz.",
   "Mais seguro no iPhone: emparelha com o telemóvel do teu contacto (Definições, Vigia-me) para que o telemóvel dele guarde o teu prazo e dê o alarme; ou diz-lhe tu o teu prazo e pede-lhe que aja se até lá não tiveres feito o check-in.",
   "Mais seguro no iPhone: pareie com o celular do seu contato (Configurações, Cuide de mim) para que o celular dele guarde seu prazo e dispare o alarme; ou diga a ele seu prazo e peça que aja se você não tiver feito o check-in até lá.",
   "Mai sigur pe iPhone: asociază telefonul persoanei de încredere (Setări, Veghează asupra mea), ca telefonul ei să țină termenul tău și să dea alarma acolo; sau spune-i tu termenul și roag-o să acționeze dacă nu ai confirmat până atunci."),
 "call_got_through": ("Did your call to your buddy get through?", "¿Pudiste hablar con tu contacto?", "Czy udało się dodzwonić do zaufanej osoby?", "A chamada para o teu contacto foi atendida?", "A ligação para seu contato foi atendida?", "Ai reușit să vorbești cu persoana de încredere?"),
 "yes": ("Yes", "Sí", "Tak", "Sim", "Sim", "Da"),
 "no": ("No", "No", "Nie", "Não", "Não", "Nu"),
 "protected_data_unavailable": ("Unlock your phone once so Vigil can read your check-in.", "Desbloquea el teléfono una vez para que Vigil pueda leer tu control.", "Odblokuj telefon raz, aby Vigil mógł odczytać meldunek.", "Desbloqueia o telemóvel uma vez para o Vigil poder ler o teu check-in.", "Desbloqueie o celular uma vez para o Vigil poder ler seu check-in.", "Deblochează telefonul o dată ca Vigil să poată citi confirmarea."),
 "alert_stale": ("This alert list is out of date: ask for a new one.", "Esta lista de avisos está desactualizada: pide una nueva.", "Ta lista alertów jest nieaktualna: poproś o nową.", "Esta lista de alertas está desatualizada: pede uma nova.", "Esta lista de alertas está desatualizada: peça uma nova.", "Această listă de alerte e veche: cere una nouă."),
 "notes_title": ("Your notes", "Tus notas", "Twoje notatki", "As tuas notas", "Suas notas", "Notițele tale"),
 "services_nearby": ("Services near this point", "Servicios cerca de este punto", "Usługi w pobliżu tego miejsca", "Serviços perto deste ponto", "Serviços perto deste ponto", "Servicii lângă acest punct"),
 "settings_unlock_limit_title": ("Unlock limit", "Límite de desbloqueo", "Limit odblokowań", "Limite de desbloqueio", "Limite de desbloqueio", "Limită de deblocare"),
 "settings_app_icon": ("App icon", "Icono de la app", "Ikona aplikacji", "Ícone da app", "Ícone do app", "Pictograma aplicației"),
 "call_labels_reload": ("Update caller labels", "Actualizar etiquetas de llamadas", "Aktualizuj etykiety dzwoniących", "Atualizar etiquetas de chamadas", "Atualizar etiquetas de chamadas", "Actualizează etichetele apelanților"),
 "camouflage_failed": ("The icon could not be changed.", "No se pudo cambiar el icono.", "Nie udało się zmienić ikony.", "Não foi possível mudar o ícone.", "Não foi possível mudar o ícone.", "Pictograma nu a putut fi schimbată."),
 "icon_vigil": ("Vigil", "Vigil", "Vigil", "Vigil", "Vigil", "Vigil"),
 "icon_calculator": ("Calculator", "Calculadora", "Kalkulator", "Calculadora", "Calculadora", "Calculator"),
 "icon_notes": ("Notes", "Notas", "Notatki", "Notas", "Notas", "Notițe"),
 "icon_weather": ("Weather", "Tiempo", "Pogoda", "Meteorologia", "Clima", "Vremea"),
 "duress_explained": ("The duress passphrase opens a harmless-looking Vigil. Anyone watching sees the same screens.", "La frase de coacción abre un Vigil de aspecto inofensivo. Quien mire ve las mismas pantallas.", "Hasło przymusu otwiera niewinnie wyglądający Vigil. Każdy, kto patrzy, widzi te same ekrany.", "A frase de coação abre um Vigil de aspeto inofensivo. Quem estiver a ver vê os mesmos ecrãs.", "A frase de coação abre um Vigil de aparência inofensiva. Quem estiver olhando vê as mesmas telas.", "Fraza de constrângere deschide un Vigil cu aspect inofensiv. Cine privește vede aceleași ecrane."),
 "duress_alert_buddies": ("Alert my buddies when it is used", "Avisar a mis contactos cuando se use", "Powiadom zaufane osoby, gdy zostanie użyte", "Avisar os meus contactos quando for usada", "Avisar meus contatos quando for usada", "Anunță persoanele de încredere când e folosită"),
 "duress_ios_no_silent_sms": ("On iPhone the alert of a duress passphrase cannot be sent silently, and a paired phone is not told of it either. The duress check-in code does reach a paired buddy's phone: it sends what a normal check-in sends.",
   "En iPhone el aviso de una frase de coacción no se puede enviar en silencio, y tampoco se informa a un móvil vinculado. El código de coacción del control sí llega al móvil vinculado de tu contacto: envía lo mismo que un control normal.",
   "Na iPhonie alertu hasła przymusu nie da się wysłać po cichu i połączony telefon też się o nim nie dowie. Kod przymusu meldunku dociera do połączonego telefonu zaufanej osoby: wysyła to samo, co zwykły meldunek.",
   "No iPhone o alerta de uma frase de coação não pode ser enviado em silêncio, e um telemóvel emparelhado também não é avisado. O código de coação do check-in chega ao telemóvel emparelhado do teu contacto: envia o mesmo que um check-in normal.",
   "No iPhone o alerta de uma frase de coação não pode ser enviado em silêncio, e um celular pareado também não é avisado. O código de coação do check-in chega ao celular pareado do seu contato: envia o mesmo que um check-in normal.",
   "Pe iPhone alerta unei fraze de constrângere nu poate fi trimisă în tăcere și nici un telefon asociat nu e anunțat. Codul de constrângere al confirmării ajunge la telefonul asociat al persoanei de încredere: trimite ce trimite o confirmare normală."),
 "duress_destroy_real": ("Delete my real data when it is used", "Borrar mis datos reales cuando se use", "Usuń moje prawdziwe dane, gdy zostanie użyte", "Apagar os meus dados reais quando for usada", "Apagar meus dados reais quando for usada", "Șterge datele mele reale când e folosită"),
 "duress_clear": ("Remove the duress passphrase", "Quitar la frase de coacción", "Usuń hasło przymusu", "Remover a frase de coação", "Remover a frase de coação", "Elimină fraza de constrângere"),
 "panic_wipe_explained": ("Deletes everything in Vigil and its key on this phone. It cannot be undone.", "Borra todo en Vigil y su clave en este teléfono. No se puede deshacer.", "Usuwa wszystko w Vigil i jego klucz w tym telefonie. Nie można tego cofnąć.", "Apaga tudo no Vigil e a sua chave neste telemóvel. Não pode ser desfeito.", "Apaga tudo no Vigil e a chave dele neste celular. Não pode ser desfeito.", "Șterge tot din Vigil și cheia lui de pe acest telefon. Nu se poate anula."),
 "panic_wipe_done": ("Everything was deleted.", "Se borró todo.", "Wszystko zostało usunięte.", "Tudo foi apagado.", "Tudo foi apagado.", "Totul a fost șters."),
 "wipe_secret_not_deleted": ("The data is deleted, but its key could not be removed from the Keychain.", "Los datos se borraron, pero su clave no se pudo quitar del Llavero.", "Dane usunięto, ale ich klucza nie udało się usunąć z pęku kluczy.", "Os dados foram apagados, mas a chave não pôde ser removida do Porta-chaves.", "Os dados foram apagados, mas a chave não pôde ser removida das Chaves.", "Datele sunt șterse, dar cheia lor nu a putut fi eliminată din Portchei."),
 "watch_title": S["home_watch"],
 "watch_explained": ("Pair with a buddy's phone: when you start a check-in with that buddy, their phone is sent your deadline and raises the alarm there if you do not check in, even if your phone is off or taken. On iPhone each message opens in the message screen and goes when you tap Send; it is unreadable code to anyone who sees it.",
   "Vincula el móvil de un contacto: cuando inicies un control con ese contacto, su móvil recibe tu hora límite y da la alarma allí si no haces el control, aunque tu teléfono esté apagado o te lo hayan quitado. En iPhone cada mensaje se abre en la pantalla de mensajes y sale cuando tocas Enviar; para quien lo vea es un código ilegible.",
   "Połącz się z telefonem zaufanej osoby: gdy rozpoczniesz meldowanie z tą osobą, jej telefon dostanie twój termin i tam podniesie alarm, jeśli się nie zameldujesz, nawet gdy twój telefon jest wyłączony lub zabrany. Na iPhonie każda wiadomość otwiera się w ekranie wiadomości i wychodzi, gdy stukniesz Wyślij; dla każdego, kto ją zobaczy, to nieczytelny kod.",
   "Emparelha com o telemóvel de um contacto: quando iniciares um check-in com esse contacto, o telemóvel dele recebe o teu prazo e dá o alarme se não fizeres o check-in, mesmo que o teu telemóvel esteja desligado ou te tenha sido tirado. No iPhone cada mensagem abre no ecrã de mensagens e segue quando tocas em Enviar; para quem a vir é um código ilegível.",
   "Pareie com o celular de um contato: quando você iniciar um check-in com esse contato, o celular dele recebe seu prazo e dispara o alarme se você não fizer o check-in, mesmo que seu celular esteja desligado ou tenha sido tomado. No iPhone cada mensagem abre na tela de mensagens e vai quando você toca em Enviar; para quem a vir é um código ilegível.",
   "Asociază telefonul unei persoane de încredere: când pornești o confirmare cu ea, telefonul ei primește termenul tău și dă alarma acolo dacă nu confirmi, chiar dacă telefonul tău e oprit sau ți-a fost luat. Pe iPhone fiecare mesaj se deschide în ecranul de mesaje și pleacă atunci când atingi Trimite; pentru oricine îl vede e un cod de neînțeles."),
 "watch_own_code": ("This phone's code", "El código de este móvil", "Kod tego telefonu", "O código deste telemóvel", "O código deste celular", "Codul acestui telefon"),
 "watch_compare_explained": ("Both phones must show these same six digits. Type the digits shown on the other phone.", "Los dos móviles deben mostrar estos mismos seis dígitos. Escribe los dígitos que muestra el otro móvil.", "Oba telefony muszą pokazać te same sześć cyfr. Wpisz cyfry widoczne na drugim telefonie.", "Os dois telemóveis devem mostrar estes mesmos seis dígitos. Escreve os dígitos que aparecem no outro telemóvel.", "Os dois celulares devem mostrar estes mesmos seis dígitos. Digite os dígitos que aparecem no outro celular.", "Ambele telefoane trebuie să arate aceleași șase cifre. Scrie cifrele afișate pe celălalt telefon."),
 "watch_field_buddy": ("Buddy", "Contacto", "Zaufana osoba", "Contacto", "Contato", "Persoană de încredere"),
 "watch_no_buddy": ("None", "Ninguno", "Brak", "Nenhum", "Nenhum", "Niciuna"),
 "watch_pairings": ("Paired phones", "Móviles vinculados", "Połączone telefony", "Telemóveis emparelhados", "Celulares pareados", "Telefoane asociate"),
 "watch_phone_has_it": ("Their phone has it", "Su móvil lo tiene", "Ich telefon go ma", "O telemóvel dele já o tem", "O celular dele já recebeu", "Telefonul ei l-a primit"),
 "watch_not_confirmed": ("Sent, not confirmed yet", "Enviado, sin confirmar", "Wysłane, bez potwierdzenia", "Enviado, por confirmar", "Enviado, não confirmado", "Trimis, neconfirmat"),
 "watch_not_sent_yet": ("Not sent yet", "Aún no enviado", "Jeszcze nie wysłane", "Ainda não enviado", "Ainda não enviado", "Încă netrimis"),
 "watch_paste_explained": ("iPhone apps cannot read your texts. When a message starting with VGL1: comes from a paired phone, copy it and paste it here, or the alarm goes off at its time.",
   "Las apps de iPhone no pueden leer tus SMS. Cuando llegue de un móvil vinculado un mensaje que empieza por VGL1:, cópialo y pégalo aquí, o la alarma sonará a su hora.",
   "Aplikacje na iPhonie nie mogą czytać twoich SMS-ów. Gdy z połączonego telefonu przyjdzie wiadomość zaczynająca się od VGL1:, skopiuj ją i wklej tutaj, inaczej alarm włączy się o swojej porze.",
   "As apps do iPhone não podem ler as tuas mensagens. Quando chegar de um telemóvel emparelhado uma mensagem que começa por VGL1:, copia-a e cola-a aqui, ou o alarme dispara à hora marcada.",
   "Os apps do iPhone não podem ler suas mensagens. Quando chegar de um celular pareado uma mensagem que começa com VGL1:, copie e cole aqui, ou o alarme dispara na hora marcada.",
   "Aplicațiile de pe iPhone nu îți pot citi mesajele. Când de la un telefon asociat vine un mesaj care începe cu VGL1:, copiază-l și lipește-l aici, altfel alarma pornește la ora ei."),
 "watch_field_message": ("Message (VGL1:…)", "Mensaje (VGL1:…)", "Wiadomość (VGL1:…)", "Mensagem (VGL1:…)", "Mensagem (VGL1:…)", "Mesaj (VGL1:…)"),
 "watch_received_from": ("Message from %1$s received.", "Mensaje de %1$s recibido.", "Odebrano wiadomość od %1$s.", "Mensagem de %1$s recebida.", "Mensagem de %1$s recebida.", "Mesaj de la %1$s primit."),
 "watch_call_her": ("Call her", "Llámala", "Zadzwoń do niej", "Liga-lhe", "Ligue para ela", "Sun-o"),
 "watch_duress": ("She used her duress code: she may not be free to talk. Do not call her openly.", "Usó su código de coacción: puede que no pueda hablar libremente. No la llames abiertamente.", "Użyła kodu przymusu: może nie móc swobodnie rozmawiać. Nie dzwoń do niej otwarcie.", "Ela usou o código de coação: pode não estar livre para falar. Não lhe ligues abertamente.", "Ela usou o código de coação: pode não estar livre para falar. Não ligue para ela abertamente.", "A folosit codul de constrângere: poate nu e liberă să vorbească. Nu o suna deschis."),
 "watch_phase_watching": ("Watching: the deadline has not passed.", "Vigilando: la hora límite no ha pasado.", "Czuwanie: termin jeszcze nie minął.", "A vigiar: o prazo ainda não passou.", "Vigiando: o prazo ainda não passou.", "Veghere: termenul nu a trecut."),
 "watch_phase_overdue": ("Past the deadline: nothing heard yet.", "Pasada la hora límite: aún sin noticias.", "Po terminie: na razie brak wieści.", "Prazo passado: ainda sem notícias.", "Prazo passado: ainda sem notícias.", "Termen depășit: încă nicio veste."),
 "watch_phase_alarm": ("Alarm: she has not checked in.", "Alarma: no ha hecho el control.", "Alarm: nie zameldowała się.", "Alarme: ela não fez o check-in.", "Alarme: ela não fez o check-in.", "Alarmă: nu a confirmat."),
 "watch_phase_safe": ("She checked in.", "Hizo el control.", "Zameldowała się.", "Ela fez o check-in.", "Ela fez o check-in.", "A confirmat."),
 "watch_send_body": ("Open Vigil to send your buddy's phone an update.", "Abre Vigil para enviar una actualización al móvil de tu contacto.", "Otwórz Vigil, aby wysłać aktualizację na telefon zaufanej osoby.", "Abre o Vigil para enviar uma atualização ao telemóvel do teu contacto.", "Abra o Vigil para enviar uma atualização ao celular do seu contato.", "Deschide Vigil ca să trimiți o actualizare pe telefonul persoanei de încredere."),
 "watch_wake_body": ("Open Vigil: a check-in you watch over needs you.", "Abre Vigil: un control que vigilas te necesita.", "Otwórz Vigil: meldunek, nad którym czuwasz, czeka na ciebie.", "Abre o Vigil: um check-in que vigias precisa de ti.", "Abra o Vigil: um check-in que você vigia precisa de você.", "Deschide Vigil: o confirmare pe care o veghezi te așteaptă."),
 "watch_alarm_due_body": ("Open Vigil now: someone you watch over may need help.", "Abre Vigil ya: alguien a quien cuidas puede necesitar ayuda.", "Otwórz Vigil teraz: osoba, nad którą czuwasz, może potrzebować pomocy.", "Abre o Vigil já: alguém que vigias pode precisar de ajuda.", "Abra o Vigil agora: alguém de quem você cuida pode precisar de ajuda.", "Deschide Vigil acum: cineva asupra căruia veghezi poate avea nevoie de ajutor."),
 "watch_reminder_body": ("A check-in you watch over is due now.", "Un control que vigilas vence ahora.", "Meldunek, nad którym czuwasz, przypada teraz.", "Um check-in que vigias termina agora.", "Um check-in que você vigia vence agora.", "O confirmare pe care o veghezi e acum."),
 "watch_alarm_body": ("Someone you watch over has not checked in. Open Vigil now.", "Alguien a quien cuidas no ha hecho el control. Abre Vigil ya.", "Osoba, nad którą czuwasz, nie zameldowała się. Otwórz Vigil teraz.", "Alguém que vigias não fez o check-in. Abre o Vigil já.", "Alguém de quem você cuida não fez o check-in. Abra o Vigil agora.", "Cineva asupra căruia veghezi nu a confirmat. Deschide Vigil acum."),
 "watch_call_worker_body": ("Open Vigil: call the person you watch over now.", "Abre Vigil: llama ya a la persona a quien cuidas.", "Otwórz Vigil: zadzwoń teraz do osoby, nad którą czuwasz.", "Abre o Vigil: liga já à pessoa que vigias.", "Abra o Vigil: ligue agora para a pessoa de quem você cuida.", "Deschide Vigil: sună acum persoana asupra căreia veghezi."),
 "watch_call_emergency_body": ("Open Vigil: it is time to call for help.", "Abre Vigil: es hora de pedir ayuda.", "Otwórz Vigil: czas wezwać pomoc.", "Abre o Vigil: é altura de pedir ajuda.", "Abra o Vigil: é hora de pedir ajuda.", "Deschide Vigil: e momentul să chemi ajutor."),
 "watch_safe_body": ("The person you watch over checked in after the alarm.", "La persona a quien cuidas hizo el control después de la alarma.", "Osoba, nad którą czuwasz, zameldowała się po alarmie.", "A pessoa que vigias fez o check-in depois do alarme.", "A pessoa de quem você cuida fez o check-in depois do alarme.", "Persoana asupra căreia veghezi a confirmat după alarmă."),
 "watch_safe_not_sent_body": ("Your buddy's phone does not know yet that you are safe: open Vigil and send the message, or their alarm will go off.", "El móvil de tu contacto aún no sabe que estás bien: abre Vigil y envía el mensaje, o sonará su alarma.", "Telefon zaufanej osoby jeszcze nie wie, że jesteś bezpieczna: otwórz Vigil i wyślij wiadomość, inaczej włączy się tam alarm.", "O telemóvel do teu contacto ainda não sabe que estás bem: abre o Vigil e envia a mensagem, ou o alarme dele dispara.", "O celular do seu contato ainda não sabe que você está bem: abra o Vigil e envie a mensagem, ou o alarme dele vai disparar.", "Telefonul persoanei de încredere nu știe încă că ești bine: deschide Vigil și trimite mesajul, altfel alarma va porni acolo."),
 "watch_qr": ("QR code of this phone's pairing code", "Código QR del código de vinculación de este móvil", "Kod QR z kodem parowania tego telefonu", "Código QR do código de emparelhamento deste telemóvel", "Código QR do código de pareamento deste celular", "Cod QR al codului de asociere al acestui telefon"),
 "booking_outcome_question": ("Was it done, cancelled or a no-show?", "¿Se hizo, se canceló o no se presentó?", "Odbyła się, odwołana czy klient nie przyszedł?", "Foi feita, cancelada ou o cliente faltou?", "Foi feito, cancelado ou o cliente não veio?", "S-a făcut, s-a anulat sau clientul nu a venit?"),
 "booking_checkins": ("Check-ins: %1$d", "Controles: %1$d", "Meldunki: %1$d", "Check-ins: %1$d", "Check-ins: %1$d", "Confirmări: %1$d"),
 "info_location_usage": ("Vigil uses your location to find services near you and, during a check-in, to tell your buddy where you are. It never leaves your phone otherwise.",
   "Vigil usa tu ubicación para encontrar servicios cerca de ti y, durante un control, para decirle a tu contacto dónde estás. Fuera de eso, nunca sale de tu teléfono.",
   "Vigil używa twojej lokalizacji, aby znaleźć usługi w pobliżu i podczas meldowania przekazać zaufanej osobie, gdzie jesteś. Poza tym nigdy nie opuszcza twojego telefonu.",
   "O Vigil usa a tua localização para encontrar serviços perto de ti e, durante um check-in, para dizer ao teu contacto onde estás. Fora isso, nunca sai do teu telemóvel.",
   "O Vigil usa sua localização para encontrar serviços perto de você e, durante um check-in, para dizer ao seu contato onde você está. Fora isso, ela nunca sai do seu celular.",
   "Vigil îți folosește locația ca să găsească servicii în apropiere și, în timpul unei confirmări, ca să-i spună persoanei de încredere unde ești. Altfel, nu părăsește niciodată telefonul."),
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


# iOS: <lang>.lproj/Localizable.strings in VigilKit's resources (Bundle.module), every key
# of S and IOS; Android's %1$s is %1$@ there and %1$d is %1$ld (Swift's Int).
IOS_LPROJ = {"en": "en", "es": "es", "pl": "pl", "pt": "pt", "pt-br": "pt-BR", "ro": "ro"}
ios_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ios", "VigilKit",
                        "Sources", "VigilKit", "Resources")
ios_app_resources = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ios",
                                 "Vigil", "Resources")
# Info.plist key: the table's key for its text.
INFO_PLIST = {"NSLocationWhenInUseUsageDescription": "info_location_usage"}
clash = set(S) & set(IOS)
assert all(len(texts) == len(LANGS) for texts in IOS.values()), "an iOS key lacks a language"
assert not clash, f"keys in both S and IOS: {sorted(clash)}"
for index, lang in enumerate(LANGS.values()):
    folder = os.path.join(ios_root, IOS_LPROJ[lang] + ".lproj")
    os.makedirs(folder, exist_ok=True)
    lines = ["/* Generated by android/tools/strings.py: edit the table there. */"]
    for key, texts in list(S.items()) + list(IOS.items()):
        text = texts[index].replace("&amp;", "&")
        text = re.sub(r"%(\d)\$s", r"%\1$@", text)
        text = re.sub(r"%(\d)\$d", r"%\1$ld", text)
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        lines.append(f'"{key}" = "{text}";')
    with open(os.path.join(folder, "Localizable.strings"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    # The permission prompts iOS shows from Info.plist, from the app's own bundle.
    folder = os.path.join(ios_app_resources, IOS_LPROJ[lang] + ".lproj")
    os.makedirs(folder, exist_ok=True)
    lines = ["/* Generated by android/tools/strings.py: edit the table there. */"]
    for plist_key, key in INFO_PLIST.items():
        text = IOS[key][index].replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{plist_key}" = "{text}";')
    with open(os.path.join(folder, "InfoPlist.strings"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
