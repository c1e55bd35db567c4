"""factory_boy factories of people for tests and benchmarks; the journal's objects are made through its services
(the cast in conftest.py), so that object permissions are granted the real way."""

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from accounts.choices import Role
from accounts.models import ParentProfile, PupilProfile, School, User

TEST_PASSWORD = "demo12345"
_PASSWORD_HASH = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(TEST_PASSWORD)
    return _PASSWORD_HASH


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Средняя общеобразовательная школа № {n + 1}")
    short_name = factory.Sequence(lambda n: f"СОШ № {n + 1}")
    time_zone = "Europe/Moscow"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    school = factory.SubFactory(SchoolFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Iterator(["Иванова", "Петров", "Сидорова", "Кузнецов", "Смирнова"])
    first_name = factory.Iterator(["Анна", "Борис", "Вера", "Глеб", "Дарья"])
    middle_name = factory.Iterator(["Петровна", "Иванович", "Сергеевна", "Олегович", "Андреевна"])
    role = Role.TEACHER
    password = factory.LazyFunction(password_hash)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PupilProfile

    user = factory.SubFactory(UserFactory, role=Role.PUPIL)
    date_of_birth = dt.date(2013, 5, 17)
    sex = "f"


class ParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentProfile

    user = factory.SubFactory(UserFactory, role=Role.PARENT)
