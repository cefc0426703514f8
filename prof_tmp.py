import os, time, django
os.environ["DJANGO_SETTINGS_MODULE"]="portal.settings.local"
os.environ["DEBUG"]="False"
django.setup()
from django.test import Client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from portal.models import User
from allauth.mfa.models import Authenticator
c = Client()
u=User.objects.get(email="staff@example.org")
c.force_login(u)
s=c.session; s["account_authentication_methods"]=[{"method":"password","at":time.time()},{"method":"mfa","type":"totp","at":time.time()}]; s.save()
r=c.get("/dashboard/"); print(r.status_code)
with CaptureQueriesContext(connection) as q: r=c.get("/dashboard/")
print(r.status_code, len(q))
for x in q.captured_queries: print(x["sql"][:150])
